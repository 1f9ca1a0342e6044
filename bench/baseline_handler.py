"""Baseline for the cold-start benchmark: the leanest reasonable handler for the same request,
a Powertools APIGatewayHttpResolver with a plain botocore DynamoDB client (DESIGN.md's reference)."""

from __future__ import annotations

import json
import os
from typing import Any

import botocore.session
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

dynamodb = botocore.session.get_session().create_client("dynamodb")
app = APIGatewayHttpResolver()
TABLE = os.environ["LOOKUP_TABLE_NAME"]


@app.get("/emergency-numbers")
def emergency_numbers() -> dict[str, Any]:
    pages = dynamodb.get_paginator("query").paginate(
        TableName=TABLE, KeyConditionExpression="pk = :kind", ExpressionAttributeValues={":kind": {"S": "contact"}}
    )
    docs = [json.loads(item["doc"]["S"]) for page in pages for item in page["Items"]]
    docs.sort(key=lambda doc: (doc["sort"], doc["id"]))
    return {"items": docs, "next_cursor": None}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
