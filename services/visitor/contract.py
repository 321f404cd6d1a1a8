"""What leaves the visitor service: domain events mapped to published contracts.

Watchlist events stay inside (who is on a watchlist is confidential; an alert names
the person at the desk, never the entry); every other domain event maps to exactly one
contract event, so `ce_id` = aggregate id + version.
"""

from __future__ import annotations

from typing import Any

from contracts import topics
from contracts import visitor as published
from contracts.base import ContractEvent
from services.visitor.building_notice import BuildingNotice
from services.visitor.business_centre import ServiceSlip
from services.visitor.call_register import CallRecord
from services.visitor.catering import CateringOrder, WeeklyMenu
from services.visitor.desk_day import DeskDay
from services.visitor.domain import PhoneMessage, Visit
from services.visitor.laundry import LaundryOrder, LaundryPriceList
from services.visitor.luggage import LuggageTag
from services.visitor.reception_standard import ReceptionStandard
from services.visitor.vip_reception import VipReception
from services.visitor.watchlist_alert import WatchlistAlert

TOPIC = topics.VISITOR


def contract_for(e: Any) -> ContractEvent | None:
    """The published form of a domain event, or None for internal events."""
    common = {"site_id": getattr(e, "site_id", None), "occurred_at": getattr(e, "at", None)}
    match e:
        case Visit.Registered() if e.pre_registered:
            return published.VisitorPreRegistered(
                **common,
                visit_id=e.originator_id,
                visitor_name=e.visitor_name,
                visitor_company=e.visitor_company,
                host_unit=e.host_unit,
                host_name=e.host_name,
                purpose=e.purpose,
                party_size=e.party_size,
                expected_from=e.expected_from,
                expected_until=e.expected_until,
            )
        case Visit.Registered():
            return published.VisitorArrived(
                **common,
                visit_id=e.originator_id,
                visitor_name=e.visitor_name,
                visitor_company=e.visitor_company,
                host_unit=e.host_unit,
                host_name=e.host_name,
                purpose=e.purpose,
                party_size=e.party_size,
                id_checked=e.id_checked,
                id_type=e.id_type,
            )
        case Visit.HostNotified():
            return published.HostNotified(
                **common,
                visit_id=e.originator_id,
                host_unit=e.host_unit,
                host_name=e.host_name,
                reason=e.reason,
            )
        case Visit.CheckedIn():
            return published.VisitorCheckedIn(
                **common,
                visit_id=e.originator_id,
                visitor_name=e.visitor_name,
                visitor_company=e.visitor_company,
                host_unit=e.host_unit,
                host_name=e.host_name,
                purpose=e.purpose,
                party_size=e.party_size,
                id_checked=e.id_checked,
                id_type=e.id_type,
                pre_registered=e.pre_registered,
            )
        case Visit.Denied():
            return published.VisitDenied(**common, visit_id=e.originator_id, reason=e.reason)
        case Visit.CheckedOut():
            return published.VisitorCheckedOut(**common, visit_id=e.originator_id)
        case Visit.Overstayed():
            return published.VisitorOverstayed(
                **common, visit_id=e.originator_id, business_date=e.business_date
            )
        case PhoneMessage.Taken():
            return published.PhoneMessageTaken(
                **common,
                message_id=e.originator_id,
                caller_name=e.caller_name,
                caller_company=e.caller_company,
                caller_phone=e.caller_phone,
                reason=e.reason,
                for_unit=e.for_unit,
                for_person=e.for_person,
            )
        case PhoneMessage.Delivered():
            return published.PhoneMessageDelivered(
                **common, message_id=e.originator_id, acknowledged_by=e.acknowledged_by
            )
        case CallRecord.Recorded():
            return published.CallRecorded(
                **common,
                call_id=e.originator_id,
                caller_name=e.caller_name,
                caller_company=e.caller_company,
                caller_number=e.caller_number,
                reason=e.reason,
                category=e.category,
                important=e.important,
                passed_to=e.passed_to,
            )
        case CallRecord.SignedFor():
            return published.CallSignedFor(**common, call_id=e.originator_id, signed_by=e.signed_by)
        case CallRecord.FollowedUp():
            return published.CallFollowedUp(
                **common, call_id=e.originator_id, progress=e.progress, by=e.by
            )
        case CallRecord.Completed():
            return published.CallCompleted(
                **common, call_id=e.originator_id, result=e.result, signed_by=e.signed_by
            )
        case DeskDay.Opened():
            return published.DeskOpened(
                **common, desk_day_id=e.originator_id, business_date=e.business_date,
                opened_by=e.opened_by, checks=e.checks, note=e.note,
            )  # fmt: skip
        case DeskDay.HandedOver():
            return published.ShiftHandedOver(
                **common, desk_day_id=e.originator_id, business_date=e.business_date,
                number=e.number, from_shift=e.from_shift, to_shift=e.to_shift,
                handed_over_by=e.handed_over_by, open_items=e.open_items,
            )  # fmt: skip
        case DeskDay.HandoverAcknowledged():
            return published.HandoverAcknowledged(
                **common, desk_day_id=e.originator_id, business_date=e.business_date,
                number=e.number, acknowledged_by=e.acknowledged_by,
            )  # fmt: skip
        case DeskDay.Closed():
            return published.DeskClosed(
                **common, desk_day_id=e.originator_id, business_date=e.business_date,
                closed_by=e.closed_by, checks=e.checks, note=e.note, summary=e.summary,
                for_tomorrow=e.for_tomorrow,
            )  # fmt: skip
        case VipReception.Planned():
            return published.VipReceptionPlanned(
                **common, reception_id=e.originator_id, visit_id=e.visit_id,
                guest_name=e.guest_name, guest_company=e.guest_company, host_unit=e.host_unit,
                host_name=e.host_name, expected_from=e.expected_from, level=e.level,
                escorts=e.escorts, meeting_room=e.meeting_room, room_setup=e.room_setup,
                pickup_place=e.pickup_place, pickup_at=e.pickup_at,
            )  # fmt: skip
        case VipReception.Confirmed():
            return published.VipReceptionConfirmed(
                **common, reception_id=e.originator_id, visit_id=e.visit_id,
                confirmed_by=e.confirmed_by, confirmed_with=e.confirmed_with,
            )  # fmt: skip
        case WatchlistAlert.Raised():
            return published.WatchlistAlertRaised(
                **common, alert_id=e.originator_id, group_wide=e.group_wide,
                visitor_name=e.visitor_name, host_unit=e.host_unit, visit_id=e.visit_id,
                notify=e.notify,
            )  # fmt: skip
        case WatchlistAlert.Acknowledged():
            return published.WatchlistAlertAcknowledged(
                **common, alert_id=e.originator_id, acknowledged_by=e.acknowledged_by,
                action=e.action,
            )  # fmt: skip
        case LuggageTag.Deposited():
            return published.LuggageDeposited(
                **common, deposit_id=e.deposit_id, tag=e.tag, owner_name=e.owner_name,
                pieces=e.pieces, description=e.description, deposited_by=e.deposited_by,
            )  # fmt: skip
        case LuggageTag.Collected():
            return published.LuggageCollected(
                **common, deposit_id=e.deposit_id, tag=e.tag, collected_by=e.collected_by
            )
        case ReceptionStandard.Set():
            return published.ReceptionStandardSet(
                **common, standard_minutes=e.minutes, set_by=e.set_by
            )
        case BuildingNotice.Issued():
            return published.BuildingNoticeIssued(
                **common, notice_id=e.originator_id, subject=e.subject, content=e.content,
                issued_by=e.issued_by,
            )  # fmt: skip
        case BuildingNotice.Told():
            return published.BuildingNoticeDelivered(
                **common, notice_id=e.originator_id, channel=e.channel, unit=e.unit,
                recipient=e.recipient, by=e.by,
            )  # fmt: skip
    return building_service_contract(e, common)


def building_service_contract(e: Any, common: dict[str, Any]) -> ContractEvent | None:
    """The published form of a building service's event (laundry, catering, business
    centre); a signed order, whichever the service, is one `ServiceOrderSigned`."""
    match e:
        case LaundryPriceList.PricesSet():
            return published.LaundryPricesSet(**common, prices=e.prices, set_by=e.set_by)
        case LaundryOrder.Requested():
            return published.LaundryRequested(
                **common, order_id=e.originator_id, unit=e.unit, customer_name=e.customer_name,
                items=e.items, amount=e.amount, taken_by=e.taken_by, rewash_of=e.rewash_of,
            )  # fmt: skip
        case LaundryOrder.PickedUp():
            return published.LaundryPickedUp(
                **common, order_id=e.originator_id, picked_up_by=e.picked_up_by
            )
        case WeeklyMenu.Published() | WeeklyMenu.Revised():
            return published.CateringMenuPublished(
                **common, week_start=e.week_start, dishes=e.dishes, cut_off=e.cut_off,
                published_by=e.published_by,
            )  # fmt: skip
        case WeeklyMenu.FeedbackGiven():
            return published.CateringFeedbackGiven(
                **common, week_start=e.week_start, unit=e.unit, rating=e.rating,
                comment=e.comment, recorded_by=e.recorded_by,
            )  # fmt: skip
        case CateringOrder.Ordered():
            return published.CateringOrdered(
                **common, order_id=e.originator_id, unit=e.unit, customer_name=e.customer_name,
                delivery_date=e.delivery_date, items=e.items, amount=e.amount,
                taken_by=e.taken_by,
            )  # fmt: skip
        case CateringOrder.Delivered():
            return published.CateringDelivered(
                **common, order_id=e.originator_id, delivered_by=e.delivered_by
            )
        case ServiceSlip.Opened():
            return published.ServiceSlipOpened(
                **common, order_id=e.originator_id, unit=e.unit, customer_name=e.customer_name,
                service=e.service, quantity=e.quantity, unit_price=e.unit_price,
                amount=e.unit_price * e.quantity, description=e.description,
                served_by=e.served_by,
            )  # fmt: skip
        case ServiceSlip.Voided():
            return published.ServiceSlipVoided(
                **common, order_id=e.originator_id, reason=e.reason, voided_by=e.supervisor
            )
        case LaundryOrder.ReturnSigned() | CateringOrder.ReceiptSigned() | ServiceSlip.Signed():
            return published.ServiceOrderSigned(
                **common, order_id=e.originator_id, service=SIGNED_SERVICE[type(e)],
                unit=e.unit, amount=e.amount, description=e.description, signed_by=e.signed_by,
            )  # fmt: skip
    return None


SIGNED_SERVICE: dict[type, Any] = {
    LaundryOrder.ReturnSigned: "laundry",
    CateringOrder.ReceiptSigned: "catering",
    ServiceSlip.Signed: "business_centre",
}
