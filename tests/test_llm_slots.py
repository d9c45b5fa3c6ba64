"""The client's slots: the requests holding slots go on the wire before local work
(``aidaily.llm.transport.Slots``)."""

from __future__ import annotations

import asyncio
import time

import httpx2
import pytest

from aidaily.llm import transport
from aidaily.llm.transport import AttemptTransport, Slots
from tests.fakellm import FakeLLM

pytest_plugins = ("tests.fakellm",)  # the fake_llm fixture


async def _ticks(n: int = 5) -> None:
    """Let the loop run ``n`` rounds (what a task waiting for nothing needs)."""
    for _ in range(n):
        await asyncio.sleep(0)


def test_turn_waits_until_the_requests_holding_slots_are_sent() -> None:
    async def main() -> list[str]:
        slots, order = Slots(1), []
        holder_sent = asyncio.Event()

        async def holder() -> None:
            async with slots.slot() as sent:
                await holder_sent.wait()
                order.append("holder sent")
                sent()
                await asyncio.sleep(0.05)  # the answer comes later

        async def queued() -> None:
            await slots.turn()
            order.append("queued prepares")

        tasks = [asyncio.create_task(holder())]
        await _ticks()
        tasks.append(asyncio.create_task(queued()))
        await _ticks()
        order.append("checked")  # a free turn would have come before this
        holder_sent.set()
        await asyncio.gather(*tasks)
        return order

    assert asyncio.run(main()) == ["checked", "holder sent", "queued prepares"]


def test_turn_is_at_once_while_a_slot_is_free() -> None:
    async def main() -> bool:
        slots = Slots(2)
        async with slots.slot():  # one of two held, not sent
            task = asyncio.create_task(slots.turn())
            await asyncio.sleep(0)
            return task.done()

    assert asyncio.run(main()) is True


def test_a_freed_slot_goes_out_before_the_answer_that_freed_it_is_processed() -> None:
    async def main() -> list[str]:
        slots, order = Slots(1), []
        answered, second_may_send = asyncio.Event(), asyncio.Event()

        async def first() -> None:
            async with slots.slot() as sent:
                sent()
                await answered.wait()
            order.append("first answer processed")

        async def second() -> None:
            async with slots.slot() as sent:
                order.append("second has the slot")
                await second_may_send.wait()
                order.append("second sent")
                sent()

        one = asyncio.create_task(first())
        two = asyncio.create_task(second())  # queued behind one
        await _ticks()
        answered.set()
        await _ticks(10)
        assert order == ["second has the slot"]  # first waits for second's request
        second_may_send.set()
        await asyncio.gather(one, two)
        return order

    assert asyncio.run(main()) == ["second has the slot", "second sent", "first answer processed"]


def test_the_handoff_gives_up_after_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "HANDOFF_LIMIT", 0.05)

    async def main() -> tuple[list[str], float]:
        slots, order = Slots(1), []
        answered, never = asyncio.Event(), asyncio.Event()

        async def first() -> None:
            async with slots.slot():
                await answered.wait()
            order.append("first answer processed")

        async def second() -> None:
            async with slots.slot():
                await never.wait()  # a request that never gets out

        loop = asyncio.get_running_loop()
        one = asyncio.create_task(first())
        two = asyncio.create_task(second())
        await _ticks()
        started = loop.time()
        answered.set()
        await asyncio.wait_for(one, 5)  # a wait without its limit fails here
        waited = loop.time() - started
        two.cancel()
        return order, waited

    order, waited = asyncio.run(main())
    assert order == ["first answer processed"] and 0.04 <= waited < 2.0


def test_a_failed_attempt_frees_its_slot_and_raises_at_once() -> None:
    async def main() -> list[str]:
        slots, order = Slots(1), []

        async def failing() -> None:
            try:
                async with slots.slot():
                    await _ticks()  # the queued call waits for this slot
                    raise OSError("connection reset")
            except OSError:
                order.append("failure seen")

        async def queued() -> None:
            async with slots.slot() as sent:
                order.append("queued has the slot")
                await _ticks(5)  # not sent yet: a failure does not wait for it
                sent()

        await asyncio.wait_for(asyncio.gather(failing(), queued()), 5)
        return order

    assert asyncio.run(main()) == ["failure seen", "queued has the slot"]


def test_the_request_body_on_the_wire_counts_as_sent(fake_llm: FakeLLM,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """httpcore's trace tells the transport when the body is out: a queued call may be
    prepared while the first request is still waiting for its answer."""
    monkeypatch.setattr(transport, "HANDOFF_LIMIT", 30.0)  # only the trace can end the wait
    fake_llm.latency = 1.0

    async def main() -> bool:
        slots = Slots(1)
        inner = httpx2.AsyncHTTPTransport()
        wrapped = AttemptTransport(inner, slots=slots, deadline=10, clock=lambda: 0.0)
        async with httpx2.AsyncClient(transport=wrapped) as client:
            asked = asyncio.create_task(client.post(
                f"{fake_llm.base_url}/chat/completions",
                json={"model": "fake-model", "messages": [{"role": "user", "content": "x" * 50_000}]}))
            while not fake_llm.requests:
                await asyncio.sleep(0.01)
            turn = asyncio.create_task(slots.turn())
            await asyncio.wait([turn], timeout=0.5)
            prepared_early = turn.done() and not asked.done()
            await asked
            return prepared_early

    assert asyncio.run(main()) is True


class _Answering(httpx2.AsyncBaseTransport):
    """Answers the first request once ``answer`` is set; the second never gets its bytes
    out (no trace event) until ``release`` is set."""

    def __init__(self) -> None:
        self.answer, self.release = asyncio.Event(), asyncio.Event()
        self.calls = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.calls += 1
        await (self.answer if self.calls == 1 else self.release).wait()
        return httpx2.Response(200, content=b"{}")


def test_an_attempts_latency_ends_with_its_answer_not_with_the_handoff(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "HANDOFF_LIMIT", 0.3)
    reported: list[transport.Attempt] = []

    class Listener:
        def started(self) -> None:
            pass

        def finished(self, attempt: transport.Attempt) -> None:
            reported.append(attempt)

    async def main() -> None:
        inner = _Answering()
        wrapped = AttemptTransport(inner, slots=Slots(1), deadline=10, clock=time.monotonic)
        transport.CURRENT_LISTENER.set(Listener())
        async with httpx2.AsyncClient(transport=wrapped) as client:
            first = asyncio.create_task(client.get("http://fake.invalid/1"))
            second = asyncio.create_task(client.get("http://fake.invalid/2"))
            await _ticks(20)  # the second waits for the first's slot
            inner.answer.set()
            await asyncio.wait_for(first, 5)  # after the handoff's 0.3 s: the second never sent
            inner.release.set()
            await asyncio.wait_for(second, 5)

    asyncio.run(main())
    assert len(reported) == 2 and reported[0].latency < 0.1, reported
