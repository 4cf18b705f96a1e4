"""A real Temporal worker for the integration tests: it polls a task queue for workflow
tasks (what the runtime's workers do for `RunActivityWorkflow`) until it is killed.

usage: worker.py ADDRESS TASK_QUEUE [FAIL_ID ...]

A workflow whose argument (the definition id) is one of the FAIL_IDs fails (a non-retryable
application error: the run ends `Failed`); every other one completes at once.
"""

import asyncio
import sys

from temporalio import workflow
from temporalio.client import Client
from temporalio.exceptions import ApplicationError
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

# Filled from the command line before the worker starts (the workflows run unsandboxed, so
# they see it).
FAIL_IDS: set = set()


@workflow.defn(name="RunActivityWorkflow")
class RunActivityWorkflow:
    @workflow.run
    async def run(self, definition_id: str) -> str:
        if definition_id in FAIL_IDS:
            raise ApplicationError(
                f"definition {definition_id} fails on purpose", non_retryable=True
            )
        return definition_id


async def main(address: str, task_queue: str) -> None:
    client = await Client.connect(address, namespace="default")
    worker = Worker(
        client,
        task_queue=task_queue,
        workflows=[RunActivityWorkflow],
        workflow_runner=UnsandboxedWorkflowRunner(),
    )
    print("polling", task_queue, flush=True)
    await worker.run()


if __name__ == "__main__":
    FAIL_IDS.update(sys.argv[3:])
    asyncio.run(main(sys.argv[1], sys.argv[2]))
