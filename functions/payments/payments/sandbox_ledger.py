"""The sandbox gateway's ledger on PaymentsTable (local stack only): its orders and attempts, so the payments
API, the reconciler and stale_payments (each in its own execution environment) see the same ones, as they
would see Razorpay's. Never used outside the sandbox, which GatewaySettings refuses outside `local`.

Items (keys pk and sk, beside store.py's and payment_store.py's, under prefixes of their own):
- an order: pk = `sandbox-order#<order id>`, sk = `order`; `doc` the order, `tally` its number of attempts (the
  version an attempt is written on);
- its attempts, oldest first: same pk, sk = `attempt#<6-digit sequence>`;
- an attempt by its id (what fetch_payment asks): pk = `sandbox-payment#<payment id>`, sk = `payment`.
An attempt, its copy and the order's new status and count are one transaction on the order's count as read
and on the order not being paid, so two concurrent captures can never both succeed."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pynamodb.exceptions import TransactWriteError

from payments.gateways import GatewayOrder, GatewayPayment
from payments.store import PaymentsItem
from pmc_common import dynamo
from pmc_common.errors import Internal

ORDER = "order"
PAYMENT = "payment"
ATTEMPT_PREFIX = "attempt#"
MAX_ATTEMPTS_LISTED = 100  # an order's attempts read at most (a sandbox order sees a handful)
CONFLICT_ATTEMPTS = 5


def _order_pk(order_id: str) -> str:
    return f"sandbox-order#{order_id}"


def _payment_pk(payment_id: str) -> str:
    return f"sandbox-payment#{payment_id}"


def _order_from(doc: dict[str, Any]) -> GatewayOrder:
    return GatewayOrder(**doc)  # stored as asdict(order)


def _payment_from(doc: dict[str, Any]) -> GatewayPayment:
    return GatewayPayment(**doc)  # stored as asdict(payment)


class TableSandboxLedger:
    """SandboxLedger on PaymentsTable (see the module's docstring)."""

    def put_order(self, order: GatewayOrder) -> None:
        PaymentsItem(_order_pk(order.id), ORDER, doc=asdict(order), tally=0).save(
            condition=PaymentsItem.pk.does_not_exist()  # order ids are fresh; never overwrite one's attempts
        )

    def _order_item(self, order_id: str) -> PaymentsItem | None:
        try:
            return PaymentsItem.get(_order_pk(order_id), ORDER, consistent_read=True)
        except PaymentsItem.DoesNotExist:
            return None

    def get_order(self, order_id: str) -> GatewayOrder | None:
        item = self._order_item(order_id)
        return _order_from(item.doc) if item is not None else None

    def add_attempt(self, payment: GatewayPayment, order: GatewayOrder) -> bool:
        for _ in range(CONFLICT_ATTEMPTS):
            item = self._order_item(order.id)
            if item is None or item.doc["status"] == "paid":
                return False
            count = int(item.tally or 0)
            doc = asdict(payment)
            try:
                with dynamo.transaction(PaymentsItem) as tx:
                    tx.save(
                        PaymentsItem(_order_pk(order.id), ORDER, doc=asdict(order), tally=count + 1),
                        condition=(PaymentsItem.tally == count) & (PaymentsItem.pk.exists()),
                    )
                    tx.save(
                        PaymentsItem(_order_pk(order.id), f"{ATTEMPT_PREFIX}{count + 1:06d}", doc=doc),
                        condition=PaymentsItem.pk.does_not_exist(),
                    )
                    tx.save(
                        PaymentsItem(_payment_pk(payment.id), PAYMENT, doc=doc),
                        condition=PaymentsItem.pk.does_not_exist(),
                    )
            except TransactWriteError as error:
                if dynamo.condition_failed(error) or dynamo.transaction_conflicted(error):
                    continue  # another attempt came first: read the order again
                raise
            return True
        raise Internal("The sandbox order kept changing")

    def get_payment(self, payment_id: str) -> GatewayPayment | None:
        try:
            item = PaymentsItem.get(_payment_pk(payment_id), PAYMENT, consistent_read=True)
        except PaymentsItem.DoesNotExist:
            return None
        return _payment_from(item.doc)

    def order_payments(self, order_id: str) -> list[GatewayPayment]:
        items = PaymentsItem.query(
            _order_pk(order_id),
            PaymentsItem.sk.startswith(ATTEMPT_PREFIX),
            consistent_read=True,
            limit=MAX_ATTEMPTS_LISTED,
        )
        return [_payment_from(item.doc) for item in items]
