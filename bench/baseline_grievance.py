"""Baseline for the grievance cold start: the leanest reasonable handler for a citizen's
GET /grievances/{id} - a Powertools APIGatewayHttpResolver, a plain botocore DynamoDB client (the
grievance item and its photos, as the function reads them) and the categories file for the name."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import botocore.session
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

dynamodb = botocore.session.get_session().create_client("dynamodb")
app = APIGatewayHttpResolver()
TABLE = os.environ["GRIEVANCES_TABLE_NAME"]
CATEGORIES = Path(__file__).resolve().parents[1] / "data/grievance_categories.json"
NAMES = {row["id"]: row["name"] for row in json.loads(CATEGORIES.read_text(encoding="utf-8"))}


@app.get("/grievances/<grievance_id>")
def grievance(grievance_id: str) -> dict[str, Any]:
    claims = app.current_event.request_context.authorizer.jwt_claim
    item = dynamodb.get_item(TableName=TABLE, Key={"pk": {"S": grievance_id}, "sk": {"S": "grievance"}})["Item"]
    doc = json.loads(item["doc"]["S"])
    if doc["owner_sub"] != claims["sub"]:
        return {"status": 404}
    photos = dynamodb.query(
        TableName=TABLE,
        KeyConditionExpression="pk = :id AND begins_with(sk, :photo)",
        ExpressionAttributeValues={":id": {"S": grievance_id}, ":photo": {"S": "photo#"}},
    )["Items"]
    return doc | {"category_name": NAMES[doc["category"]], "photos": photos}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
