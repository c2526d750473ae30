"""Key builders for the single table, one place for every access pattern.

| access pattern                     | index | key condition                                   |
|------------------------------------|-------|-------------------------------------------------|
| create / update / delete a batch   | table | PK=USER#<sub>, SK=BATCH#<id>                    |
| batch with its first events        | table | PK=USER#<sub>, SK BETWEEN BATCH#<id>            |
|                                    |       |   AND BATCH#<id>#EVENT$                         |
| events of a batch, in time order   | table | same range, from a cursor                       |
| everything under a batch (delete)  | table | PK=USER#<sub>, begins_with(SK, BATCH#<id>)      |
| a user's batches, newest first     | LSI1  | PK=USER#<sub> (only batch items carry LSI1SK)   |
| a user's profile                   | table | PK=USER#<sub>, SK=PROFILE                       |
| a public batch by id               | GSI1  | GSI1PK=PUBLIC#<id> (only while sharing is on)   |
| reminders of a batch               | table | PK=USER#<sub>, begins_with(SK,                  |
|                                    |       |   BATCH#<id>#REMINDER#)                         |
| batch + one reminder (delivery)    | table | TransactGetItems of the two keys: one call, one |
|                                    |       |   consistent snapshot                           |
| a user's devices                   | table | PK=USER#<sub>, begins_with(SK, DEVICE#)         |
| who holds a push token             | table | PK=PUSHTOKEN#<sha256>, SK=OWNER (item: sub)     |
| a claim on a token held elsewhere  | table | PK=PUSHTOKEN#<sha256>, SK=CLAIM#<claimant sub>  |
|                                    |       |   (proof hash, TTL expiresAt)                   |
| photos of a batch (newest: reverse) | table | PK=USER#<sub>, begins_with(SK, BATCH#<id>#PHOTO#) |
| last events of a batch (public page) | table | events range, ScanIndexForward=false, Limit     |
| all of a user's items (CSV export) | table | PK=USER#<sub>, paged                            |
| create / update / delete a culture | table | PK=USER#<sub>, SK=CULTURE#<id>                  |
| culture with its first events      | table | PK=USER#<sub>, SK BETWEEN CULTURE#<id>          |
|                                    |       |   AND CULTURE#<id>#EVENT$                       |
| everything under a culture         | table | PK=USER#<sub>, begins_with(SK, CULTURE#<id>)    |
|   (delete: events, gift pointers,  |       |                                                 |
|   care reminders)                  |       |                                                 |
| a culture's care reminders         | table | PK=USER#<sub>, begins_with(SK,                  |
|                                    |       |   CULTURE#<id>#REMINDER#)                       |
| a user's cultures, newest first    | GSI3  | GSI3PK=USER#<sub>#CULTURES (culture items)      |
| a culture's detail: its stats and  | table | GetItem PK=USER#<sub>, SK=CULTURE#<id> (the     |
|   the batches it made              |       |   item keeps `made`, `feeds`, `weights`)        |
| a culture's newest shared batches  | GSI3  | GSI3PK=USER#<sub>#CULTURE#<id> (batch items     |
|   (its public page)                |       |   with a cultureId; GSI3SK = batch id)          |
| a culture's place in the tree      | table | PK=LINEAGE#<id>, SK=NODE (owner, parent,        |
|                                    |       |   ancestors, children, shared fields)           |
| a level of the tree (lineage)      | table | BatchGetItem of LINEAGE#<id> nodes: depth d     |
|                                    |       |   costs at most d+1 calls                       |
| a gift code                        | table | PK=GIFT#<sha256 of code>, SK=GIFT, TTL expiresAt |
| a user's gift codes (erasure)      | table | PK=USER#<sub>, SK=CULTURE#<id>#GIFT#<hash>      |
| a user's sensors                   | table | PK=USER#<sub>, begins_with(SK, SENSOR#)         |
| a sensor by its ingest token       | table | PK=INGEST#<sha256 of token>, SK=TOKEN (GetItem) |
| a reading on its way (ingest)      | table | the same item, replaced (PutItem, version       |
|                                    |       |   condition); the table stream's consumer       |
|                                    |       |   files it (filter: SK=TOKEN)                   |
| readings of a batch, by time       | table | PK=READINGS#<sub>#<batchId>, SK BETWEEN         |
|                                    |       |   R#<from minute> AND R#<to minute>~            |
|                                    |       |   (a deleted batch's: tombstones, same keys)    |
| a batch's alert state              | table | PK=READINGS#<sub>#<batchId>, SK=ALERTS          |
| batches whose sensors fall silent  | GSI1  | GSI1PK=SILENCE, GSI1SK <= <now> (sparse: only   |
|                                    |       |   alert states with a live sensor carry it)     |
| what changed since a cursor (sync) | GSI2  | GSI2PK=USER#<sub>, GSI2SK > <changedAt>#        |
|                                    |       |   (every record carries GSI2 keys; bookkeeping  |
|                                    |       |   items do not, so the index is sparse)         |
| a deletion, for sync               | table | PK=USER#<sub>, SK=TOMBSTONE#<SK of the record>  |
| a create's idempotency key / a     | table | PK=USER#<sub>, SK=IDEMPOTENCY#<key> (TTL)       |
|   pushed mutation's id             |       |                                                 |
| is this account deleted?           | table | PK=DELETED#<sub>, SK=ACCOUNT (tombstone, TTL)   |

LSI1 exists because batches and their events share the partition: a plain query on
`BATCH#` would page through every event to find the batches. LSI1SK is the batch's
ULID, so LSI1 holds only batches, sorted by creation time.

GSI3 does for cultures what LSI1 does for batches (culture items sort apart from their
events), and gathers the batches a culture made: its partition key carries the user's
sub, so an id from another account finds nothing. Lineage nodes and gift codes live
outside every user's partition: a family tree crosses accounts, and a recipient claims
a code without knowing whose it is.
Readings live outside the user's partition, one partition per batch, so a sensor
posting every minute never slows the user's own queries; the sub in the key keeps a
batch id alone from reaching them. A reading's sort key is its minute then the sensor:
readings sort by time, and a sensor posting faster than once a minute merges into one
item per minute.
GSI2 is the change feed. `GSI2SK` is `<changedAt>#<feed key>`: a fixed-width UTC
stamp (microseconds always written, so text order is time order) then which record it
is, unique within the user: its own sort key in the user's partition, and
`READINGS#<batchId>#<SK>` in a batch's readings partition (`feed_key`), whose items
(minute readings, the alert state, and their tombstones, left in place of what a
batch deletion removed) join their user's feed through `GSI2PK=USER#<sub>`. The
mappers in `app.store.items` and the `Update` builder in `app.store.conditional` are
the only places that write it; `table_key` turns a feed key back into the item's key
(a sync cursor's position).
"""

from __future__ import annotations

USER = "USER#"
PROFILE = "PROFILE"
BATCH = "BATCH#"
EVENT = "#EVENT#"


def user_pk(sub: str) -> str:
    return f"{USER}{sub}"


def batch_sk(batch_id: str) -> str:
    return f"{BATCH}{batch_id}"


def event_prefix(batch_id: str) -> str:
    return f"{BATCH}{batch_id}{EVENT}"


def event_sk(batch_id: str, event_id: str) -> str:
    return f"{event_prefix(batch_id)}{event_id}"


def events_upper_bound(batch_id: str) -> str:
    """Sorts after every event key of the batch and before its photos and reminders."""
    return f"{BATCH}{batch_id}#EVENT$"


PHOTO = "#PHOTO#"
PUBLIC = "PUBLIC#"
PUBLIC_SK = "BATCH"


def photo_prefix(batch_id: str) -> str:
    return f"{BATCH}{batch_id}{PHOTO}"


def photo_sk(batch_id: str, photo_id: str) -> str:
    return f"{photo_prefix(batch_id)}{photo_id}"


def public_pk(batch_id: str) -> str:
    """GSI1 partition of a shared batch: present only while sharing is on."""
    return f"{PUBLIC}{batch_id}"


REMINDER = "#REMINDER#"
DEVICE = "DEVICE#"
PUSH_TOKEN = "PUSHTOKEN#"  # noqa: S105 (a key prefix, not a secret)
OWNER = "OWNER"
CLAIM = "CLAIM#"


def reminder_prefix(batch_id: str) -> str:
    return f"{BATCH}{batch_id}{REMINDER}"


def reminder_sk(batch_id: str, reminder_id: str) -> str:
    return f"{reminder_prefix(batch_id)}{reminder_id}"


def device_sk(token_hash: str) -> str:
    return f"{DEVICE}{token_hash}"


def push_token_pk(token_hash: str) -> str:
    """A token's owner item, outside every user's partition: one device, one owner, and
    a token registered by someone else is found (and moved) without a scan or an index."""
    return f"{PUSH_TOKEN}{token_hash}"


def claim_sk(claimant_sub: str) -> str:
    return f"{CLAIM}{claimant_sub}"


CULTURE = "CULTURE#"
LINEAGE = "LINEAGE#"
NODE = "NODE"
GIFT = "GIFT#"
GIFT_SK = "GIFT"


def culture_sk(culture_id: str) -> str:
    return f"{CULTURE}{culture_id}"


def culture_event_prefix(culture_id: str) -> str:
    return f"{CULTURE}{culture_id}{EVENT}"


def culture_event_sk(culture_id: str, event_id: str) -> str:
    return f"{culture_event_prefix(culture_id)}{event_id}"


def culture_events_upper_bound(culture_id: str) -> str:
    """Sorts after every event key of the culture and before its gift pointers."""
    return f"{CULTURE}{culture_id}#EVENT$"


def culture_reminder_prefix(culture_id: str) -> str:
    return f"{CULTURE}{culture_id}{REMINDER}"


def culture_reminder_sk(culture_id: str, reminder_id: str) -> str:
    return f"{culture_reminder_prefix(culture_id)}{reminder_id}"


def culture_gift_sk(culture_id: str, code_hash: str) -> str:
    return f"{CULTURE}{culture_id}#{GIFT}{code_hash}"


def cultures_gsi3pk(sub: str) -> str:
    return f"{USER}{sub}#CULTURES"


def culture_batches_gsi3pk(sub: str, culture_id: str) -> str:
    return f"{USER}{sub}#{CULTURE}{culture_id}"


def lineage_pk(culture_id: str) -> str:
    return f"{LINEAGE}{culture_id}"


def gift_pk(code_hash: str) -> str:
    return f"{GIFT}{code_hash}"


SENSOR = "SENSOR#"
INGEST = "INGEST#"
TOKEN_SK = "TOKEN"  # noqa: S105 (a sort key, not a secret)
READINGS = "READINGS#"
READING = "R#"
ALERTS_SK = "ALERTS"
SILENCE = "SILENCE"


def sensor_sk(sensor_id: str) -> str:
    return f"{SENSOR}{sensor_id}"


def ingest_pk(token_hash: str) -> str:
    """Outside every user's partition: the token alone finds its sensor in one GetItem."""
    return f"{INGEST}{token_hash}"


def readings_pk(sub: str, batch_id: str) -> str:
    return f"{READINGS}{sub}#{batch_id}"


def reading_sk(minute: str, sensor_id: str) -> str:
    """`minute` is `YYYY-MM-DDTHH:MMZ`: ISO order is time order."""
    return f"{READING}{minute}#{sensor_id}"


def readings_upper_bound(minute: str) -> str:
    """Sorts after every reading of that minute (`~` follows every id character)."""
    return f"{READING}{minute}~"


def reading_id(batch_id: str, sk: str) -> str:
    """What sync and the export call a minute reading: `<batchId>.<sensorId>.<minute>`."""
    minute, _, sensor_id = sk[len(READING) :].partition("#")
    return f"{batch_id}.{sensor_id}.{minute}"


def readings_owner(pk: str) -> tuple[str, str]:
    """(sub, batch id) of a readings partition's key."""
    sub, _, batch_id = pk[len(READINGS) :].rpartition("#")
    return sub, batch_id


TOMBSTONE = "TOMBSTONE#"
IDEMPOTENCY = "IDEMPOTENCY#"
# Items in a user's partition that are the API's bookkeeping, not the user's records:
# left out of the CSV export, removed with the partition on account deletion.
BOOKKEEPING = (TOMBSTONE, IDEMPOTENCY)


def change_sk(changed_at_stamp: str, feed_key: str) -> str:
    """GSI2's sort key: when the record last changed, then which record it is."""
    return f"{changed_at_stamp}#{feed_key}"


def feed_pk(pk: str) -> str:
    """GSI2's partition: the user whose record the item at `pk` is."""
    if pk.startswith(READINGS):
        return user_pk(readings_owner(pk)[0])
    return pk


def feed_key(pk: str, sk: str) -> str:
    """Which record the item at (`pk`, `sk`) is within its user's change feed."""
    if pk.startswith(READINGS):
        return f"{READINGS}{readings_owner(pk)[1]}#{sk}"
    return sk


def table_key(sub: str, feed_key: str) -> tuple[str, str]:
    """The (PK, SK) of the caller's record named by `feed_key` (the inverse of
    `feed_key`): the partition comes from the caller, never from the feed key."""
    if feed_key.startswith(READINGS):
        batch_id, _, sk = feed_key[len(READINGS) :].partition("#")
        return readings_pk(sub, batch_id), sk
    return user_pk(sub), feed_key


def tombstone_sk(sk: str) -> str:
    return f"{TOMBSTONE}{sk}"


def idempotency_sk(key: str) -> str:
    return f"{IDEMPOTENCY}{key}"


DELETED = "DELETED#"
ACCOUNT = "ACCOUNT"


def deleted_account_pk(sub: str) -> str:
    """A deleted account's tombstone, outside the user's partition: the partition is
    emptied while the tombstone keeps the account's still-valid tokens from writing."""
    return f"{DELETED}{sub}"
