"""`--dist loadgroup` that finishes after a worker crash (a plugin of the root conftest).

pytest-xdist 3.8's group scheduler hangs the whole run when a worker dies and is replaced
(pytest-xdist issues 1323, 1327, 1378; CI once sat at 99 % until its 90-minute limit after
one segfault): it queues the dead worker's finished groups again as empty units, a worker
waits forever for a second test that never comes, and the test that crashed is run again
on the replacement. This scheduler queues only what the dead worker had not run, counts
the crashed test as done (xdist reports it as failed), and tells a worker to finish when
nothing is left to hand out, so the run ends with its summary and the crash in it.
"""

from __future__ import annotations

from typing import Any

import pytest

try:
    from xdist.scheduler import LoadGroupScheduling
except ImportError:  # pragma: no cover - the suite without pytest-xdist
    LoadGroupScheduling = None


if LoadGroupScheduling is not None:

    class CrashSafeLoadGroup(LoadGroupScheduling):  # type: ignore[misc,valid-type]
        def remove_node(self, node: Any) -> str | None:
            workload = self.assigned_work.pop(node)
            unfinished = {scope: unit for scope, unit in workload.items() if not all(unit.values())}
            if not unfinished:
                return None
            first_unit = next(iter(unfinished.values()))
            crashitem = next(nodeid for nodeid, done in first_unit.items() if not done)
            first_unit[crashitem] = True  # failed by xdist, not run again
            self.workqueue.update(
                (scope, unit) for scope, unit in unfinished.items() if not all(unit.values())
            )
            for other in self.assigned_work:
                self._reschedule(other)
            return crashitem

        def _reschedule(self, node: Any) -> None:
            super()._reschedule(node)
            # A worker runs a test once it holds the next one (or its end): with the queue
            # now empty, tell it to end after what it holds, or a lone test waits forever.
            if not self.workqueue and not node.shutting_down:
                node.shutdown()

    @pytest.hookimpl(tryfirst=True)
    def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
        if config.getvalue("dist") == "loadgroup":
            return CrashSafeLoadGroup(config, log)
        return None
