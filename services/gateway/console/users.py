"""Demo users: one named person per role, signing in with a password (local runs only).

Production signs in through the group's identity provider (`console.oidc`); these users
exist only where `CONSOLE_DEMO_USERS=true` (`make run`, the tests). The front-desk and
site staff work at Shanghai Tower A, two cashiers split between the two demo sites, and
the group's admin and BI analyst see every site.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from runtime.auth import Principal, Role
from services.gateway.console.sites import DEMO_SITES

SHANGHAI, HANGZHOU = DEMO_SITES


@dataclass(frozen=True)
class DemoUser:
    login: str
    name: str
    principal: Principal


def _user(login: str, name: str, role: Role, *sites: object, group: bool = False) -> DemoUser:
    principal = Principal(subject=login, role=role, sites=frozenset(sites), group_scope=group)  # type: ignore[arg-type]
    return DemoUser(login, name, principal)


DEMO_USERS = {
    user.login: user
    for user in (
        _user("wang.fang", "王芳 Wang Fang", Role.RECEPTIONIST, SHANGHAI),
        _user("zhao.lei", "赵磊 Zhao Lei", Role.CONCIERGE, SHANGHAI),
        _user("sun.yue", "孙悦 Sun Yue", Role.SWITCHBOARD, SHANGHAI),
        _user("li.na", "李娜 Li Na", Role.CS_REP, SHANGHAI),
        _user("zhou.jie", "周杰 Zhou Jie", Role.CS_SUPERVISOR, SHANGHAI),
        _user("chen.min", "陈敏 Chen Min", Role.CS_MANAGER, SHANGHAI, HANGZHOU),
        _user("huang.wei", "黄伟 Huang Wei", Role.GENERAL_MANAGER, SHANGHAI, HANGZHOU),
        _user("liu.qiang", "刘强 Liu Qiang", Role.DISPATCHER, SHANGHAI),
        _user("ma.jun", "马军 Ma Jun", Role.TECHNICIAN, SHANGHAI),
        _user("xu.li", "徐丽 Xu Li", Role.ACCOUNTANT, SHANGHAI, HANGZHOU),
        _user("he.ping", "何平 He Ping", Role.CASHIER, SHANGHAI),
        _user("guo.xin", "郭欣 Guo Xin", Role.CASHIER, HANGZHOU),
        _user("lin.hua", "林华 Lin Hua", Role.FINANCE_MANAGER, SHANGHAI, HANGZHOU),
        _user("zhang.wen", "张文 Zhang Wen", Role.GROUP_ADMIN),
        _user("yang.bo", "杨博 Yang Bo", Role.BI, group=True),
    )
}


def authenticate(login: str, password: str, demo_password: str) -> DemoUser | None:
    """The demo user with this login when the password is the demo password, else None
    (compared in constant time; an unknown login costs the same as a wrong password)."""
    user = DEMO_USERS.get(login)
    matches = hmac.compare_digest(password.encode(), demo_password.encode())
    return user if user is not None and matches else None
