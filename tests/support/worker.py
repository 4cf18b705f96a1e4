"""A real Temporal worker for the integration tests: it polls a task queue for workflow
tasks (what the runtime's workers do for `RunActivityWorkflow`) until it is killed.

usage: worker.py ADDRESS TASK_QUEUE
"""

import asyncio
import sys

from temporalio import workflow
from temporalio.client import Client
from temporalio.worker import Worker


@workflow.defn(name="RunActivityWorkflow")
class RunActivityWorkflow:
    @workflow.run
    async def run(self, definition_id: str) -> str:
        return definition_id


async def main(address: str, task_queue: str) -> None:
    client = await Client.connect(address, namespace="default")
    worker = Worker(client, task_queue=task_queue, workflows=[RunActivityWorkflow])
    print("polling", task_queue, flush=True)
    await worker.run()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
