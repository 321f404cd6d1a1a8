"""Concierge BI kit: the receivable and arrears tables rebuilt from the billing topic.

Stand-alone on purpose: it reads Kafka and the published JSON Schemas
(`contracts/schemas/*.json`) and nothing of the suite's code. See bi/README.md.
"""
