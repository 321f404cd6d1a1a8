-- The Concierge BI kit's DuckDB file: the billing ledger as it happened, the finance
-- tables as queries over it "as of" a business date, and the kit's own bookkeeping.
-- Every row is keyed by its site and account (one account per site and unit): line ids,
-- payment references and adjustment ids are only unique within an account.
-- Instants (*_at) are UTC; business dates (*_on) are the day at the site, in its zone.

-- Debit lines: charges, late fees and positive adjustments.
CREATE TABLE IF NOT EXISTS billing_lines (
    site_id UUID NOT NULL,
    account_id UUID NOT NULL,
    unit VARCHAR NOT NULL,
    line_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,               -- charge | late_fee | adjustment
    period VARCHAR NOT NULL,             -- YYYY-MM the line is billed in
    fee_type VARCHAR NOT NULL,           -- management, parking, water, ..., late_fee, adjustment
    amount DECIMAL(38, 2) NOT NULL,
    description VARCHAR NOT NULL,
    posted_at TIMESTAMP NOT NULL,
    posted_on DATE NOT NULL,
    due_date DATE,                       -- NULL until the line is on a statement
    due_set_on DATE,                     -- the business date the due date became known
    event_id VARCHAR NOT NULL,
    PRIMARY KEY (site_id, account_id, line_id));

-- Money that pays lines: payments and credit (negative) adjustments, amount positive.
CREATE TABLE IF NOT EXISTS billing_sources (
    site_id UUID NOT NULL,
    account_id UUID NOT NULL,
    unit VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,               -- payment | adjustment
    reference VARCHAR NOT NULL,          -- payment reference or adjustment id
    period VARCHAR,                      -- adjustments: the period the credit is booked in
    method VARCHAR,                      -- payments: cash, bank_transfer, wechat_pay, ...
    amount DECIMAL(38, 2) NOT NULL,
    received_at TIMESTAMP NOT NULL,
    received_on DATE NOT NULL,
    reversed_at TIMESTAMP,               -- payments only: bounced or mistaken
    reversed_on DATE,
    reversal_reason VARCHAR,
    event_id VARCHAR NOT NULL,
    PRIMARY KEY (site_id, account_id, kind, reference));

-- Money placed on lines, oldest line first; a reversal puts negative rows back.
CREATE TABLE IF NOT EXISTS billing_allocations (
    site_id UUID NOT NULL,
    account_id UUID NOT NULL,
    unit VARCHAR NOT NULL,
    allocation_id VARCHAR NOT NULL,
    line_id VARCHAR NOT NULL,
    source_kind VARCHAR NOT NULL,        -- payment | adjustment
    reference VARCHAR NOT NULL,
    amount DECIMAL(38, 2) NOT NULL,
    allocated_at TIMESTAMP NOT NULL,
    allocated_on DATE NOT NULL,
    event_id VARCHAR NOT NULL,
    PRIMARY KEY (site_id, account_id, allocation_id));

-- Bookkeeping, committed in the same transaction as the rows above.
CREATE TABLE IF NOT EXISTS bi_positions (
    topic VARCHAR, kafka_partition INTEGER, next_offset BIGINT NOT NULL,
    PRIMARY KEY (topic, kafka_partition));
CREATE TABLE IF NOT EXISTS bi_versions (
    aggregate_id UUID PRIMARY KEY, version BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS bi_rejected (
    topic VARCHAR, kafka_partition INTEGER, kafka_offset BIGINT,
    event_id VARCHAR, event_type VARCHAR, error VARCHAR NOT NULL, rejected_at TIMESTAMP NOT NULL,
    PRIMARY KEY (topic, kafka_partition, kafka_offset));
CREATE TABLE IF NOT EXISTS bi_settings (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL);

-- Days past the due date: 'current' when not yet due (or not yet on a statement); the
-- due date itself is day 0 of '0-30'; then '31-60', '61-90', and '90+' from day 91.
CREATE OR REPLACE MACRO ageing_bucket(due_date, as_of) AS
    CASE
        WHEN due_date IS NULL OR as_of < due_date THEN 'current'
        WHEN date_diff('day', due_date, as_of) <= 30 THEN '0-30'
        WHEN date_diff('day', due_date, as_of) <= 60 THEN '31-60'
        WHEN date_diff('day', due_date, as_of) <= 90 THEN '61-90'
        ELSE '90+'
    END;

-- The monthly receivable table as it stood at the end of `as_of` (a business date):
-- per site, unit and period, what the period bills by fee type. Late fees count in the
-- period they are booked in; a positive adjustment under the fee type it corrects (or
-- 'adjustment'); a credit adjustment as 'credit_adjustment', negative.
CREATE OR REPLACE MACRO receivable(as_of) AS TABLE
    SELECT site_id, account_id, unit, period, fee_type, sum(amount) AS amount
    FROM (
        SELECT site_id, account_id, unit, period, fee_type, amount
        FROM billing_lines WHERE posted_on <= as_of
        UNION ALL
        SELECT site_id, account_id, unit, period, 'credit_adjustment', -amount
        FROM billing_sources WHERE kind = 'adjustment' AND received_on <= as_of)
    GROUP BY site_id, account_id, unit, period, fee_type;

-- The receivable table's total column: per site, unit and period.
CREATE OR REPLACE MACRO receivable_totals(as_of) AS TABLE
    SELECT site_id, account_id, unit, period, sum(amount) AS total
    FROM receivable(as_of)
    GROUP BY site_id, account_id, unit, period;

-- The arrears table as it stood at the end of `as_of`: per site and unit, what is still
-- open on each line, aged by the line's due date as known then, and the credit (money
-- received, not reversed, not yet placed on a line). Units owing nothing and holding no
-- credit are left out, as in the suite.
CREATE OR REPLACE MACRO arrears(as_of) AS TABLE
    WITH open_lines AS (
        SELECT l.site_id, l.account_id, l.unit,
               ageing_bucket(CASE WHEN l.due_set_on <= as_of THEN l.due_date END, as_of)
                   AS bucket,
               l.amount - coalesce(sum(a.amount), 0) AS open_amount
        FROM billing_lines l
        LEFT JOIN billing_allocations a
            ON a.site_id = l.site_id AND a.account_id = l.account_id
            AND a.line_id = l.line_id AND a.allocated_on <= as_of
        WHERE l.posted_on <= as_of
        GROUP BY l.site_id, l.account_id, l.unit, l.line_id, l.amount, l.due_date,
                 l.due_set_on),
    placed AS (
        SELECT site_id, account_id, source_kind, reference, sum(amount) AS amount
        FROM billing_allocations WHERE allocated_on <= as_of
        GROUP BY site_id, account_id, source_kind, reference),
    credit AS (
        SELECT s.site_id, s.account_id, s.unit,
               sum(s.amount) - coalesce(sum(p.amount), 0) AS credit
        FROM billing_sources s
        LEFT JOIN placed p
            ON p.site_id = s.site_id AND p.account_id = s.account_id
            AND p.source_kind = s.kind AND p.reference = s.reference
        WHERE s.received_on <= as_of AND (s.reversed_on IS NULL OR s.reversed_on > as_of)
        GROUP BY s.site_id, s.account_id, s.unit),
    owed AS (
        SELECT site_id, account_id, unit, bucket, open_amount AS amount
        FROM open_lines WHERE open_amount > 0
        UNION ALL
        SELECT site_id, account_id, unit, 'credit', credit FROM credit WHERE credit > 0)
    SELECT site_id, account_id, unit,
           coalesce(sum(amount) FILTER (WHERE bucket = 'current'), 0) AS current,
           coalesce(sum(amount) FILTER (WHERE bucket = '0-30'), 0) AS days_0_30,
           coalesce(sum(amount) FILTER (WHERE bucket = '31-60'), 0) AS days_31_60,
           coalesce(sum(amount) FILTER (WHERE bucket = '61-90'), 0) AS days_61_90,
           coalesce(sum(amount) FILTER (WHERE bucket = '90+'), 0) AS days_over_90,
           coalesce(sum(amount) FILTER (WHERE bucket = 'credit'), 0) AS credit,
           coalesce(sum(amount) FILTER (WHERE bucket <> 'credit'), 0) AS outstanding
    FROM owed
    GROUP BY site_id, account_id, unit;
