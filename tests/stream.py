"""The table's stream, read by the tests as the alerts function's event source mapping
reads it (boto3 into the emulator's DynamoDB Streams), and handed to the consumer in
process: the suite files readings with its own clock and loopback Expo server, while
the deployed mapping stays disabled (tests/e2e/test_readings_stream.py enables it)."""

from __future__ import annotations

from typing import Any

from app.domain.alerts import Alert
from app.store.items import posted_from_image
from app.usecases.posted import PostedReadings


class StreamTail:
    """Every record written since the last call, shard by shard, in order."""

    def __init__(self, dynamodb: Any, streams: Any, table_name: str) -> None:
        self.streams = streams
        self.arn: str = dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        self._iterators: dict[str, str | None] = {
            shard_id: self._iterator(shard_id, "LATEST") for shard_id in self._shards()
        }

    def records(self) -> list[dict[str, Any]]:
        for shard_id in self._shards():
            if shard_id not in self._iterators:
                self._iterators[shard_id] = self._iterator(shard_id, "TRIM_HORIZON")
        found: list[dict[str, Any]] = []
        for shard_id, iterator in list(self._iterators.items()):
            while iterator is not None:
                response = self.streams.get_records(ShardIterator=iterator, Limit=1000)
                found += response["Records"]
                iterator = response.get("NextShardIterator")
                if not response["Records"]:
                    break
            self._iterators[shard_id] = iterator
        return found

    def _shards(self) -> list[str]:
        description = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]
        return [shard["ShardId"] for shard in description["Shards"]]

    def _iterator(self, shard_id: str, kind: str) -> str:
        iterator: str = self.streams.get_shard_iterator(
            StreamArn=self.arn, ShardId=shard_id, ShardIteratorType=kind
        )["ShardIterator"]
        return iterator


class Filer:
    """Files what the stream carried since the last call, as the alerts function does."""

    def __init__(self, tail: StreamTail, posted: PostedReadings) -> None:
        self.tail = tail
        self.posted = posted

    def __call__(self) -> list[Alert]:
        """The alerts the new readings fired, in order."""
        fired: list[Alert] = []
        for record in self.tail.records():
            one = posted_from_image(record["dynamodb"].get("NewImage") or {})
            if one is not None:
                fired += self.posted.file(one)
        return fired
