"""Routes for a user's cultures, their events, splits, gifts and family tree (the public
culture routes are in app.api.public_cultures). Each route parses, makes one use-case
call, maps the answer."""

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_201_CREATED, HTTP_204_NO_CONTENT
from msgspec import UNSET

from app.api.culture_pages import (
    CULTURE_KIND_LABELS,
)
from app.api.etags import IfNoneMatch, conditional, version_tag
from app.api.openapi import BEARER, ETAG, LOCATION, contract
from app.api.params import Caller, Cursor, GiftCodePath, PathId
from app.api.public import public_base
from app.api.public_cultures import lineage_out
from app.api.schemas.cultures import (
    ClaimGift,
    CreateCulture,
    CreateCultureEvent,
    CultureBatchOut,
    CultureDetailOut,
    CultureEventOut,
    CultureEventPage,
    CultureOut,
    CulturePage,
    CultureStatsOut,
    GiftOut,
    LineageOut,
    SplitCulture,
    UpdateCulture,
)
from app.config import Settings
from app.domain.clock import utc_now
from app.domain.cultures import Culture, display_code, normalize_gift_code
from app.usecases.cultures import CultureDraft, CultureEdit, Cultures, EventDraft

PageSize = Annotated[int, QueryParameter(ge=1, le=100, description="items per page")]
BatchesLimit = Annotated[
    int, QueryParameter(ge=1, le=100, name="batchesLimit", description="batches per page")
]
BatchesCursor = Annotated[
    str | None,
    QueryParameter(max_length=64, name="batchesCursor", description="from `nextBatchesCursor`"),
]
UseCases = NamedDependency[Cultures]
Config = NamedDependency[Settings]


def created(culture: Culture) -> Response[CultureOut]:
    return Response(
        CultureOut.of(culture),
        status_code=HTTP_201_CREATED,
        headers={"Location": f"/cultures/{culture.id}"},
    )


class CultureController(Controller):
    path = "/cultures"
    tags = ["cultures"]  # noqa: RUF012 (Litestar reads these as class attributes)
    security = BEARER

    @post(
        operation_id="createCulture",
        sync_to_thread=False,
        **contract(400, 401, 413, headers=(LOCATION,)),
    )
    def create_culture(
        self, data: JSONBody[CreateCulture], principal: Caller, cultures: UseCases
    ) -> Response[CultureOut]:
        draft = CultureDraft(
            name=data.name,
            kind=data.kind,
            acquired_at=data.acquired_at,
            origin=data.origin,
            notes=data.notes,
            public=data.public,
        )
        return created(cultures.create(principal.sub, draft, utc_now()))

    @get(operation_id="listCultures", sync_to_thread=False, **contract(400, 401))
    def list_cultures(
        self, principal: Caller, cultures: UseCases, limit: PageSize = 20, cursor: Cursor = None
    ) -> CulturePage:
        page = cultures.list_cultures(principal.sub, limit=limit, cursor=cursor)
        return CulturePage(
            items=[CultureOut.of(c) for c in page.items], next_cursor=page.next_cursor
        )

    @post(
        "/claim",
        operation_id="claimGift",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413, headers=(LOCATION,)),
    )
    def claim_gift(
        self, data: JSONBody[ClaimGift], principal: Caller, cultures: UseCases
    ) -> Response[CultureOut]:
        """A new culture in the caller's account whose parent is the giver's culture.
        A code claimed before answers 409 `gift-claimed`; an expired one 410 `gift-expired`."""
        return created(cultures.claim(principal.sub, data.code, data.name, utc_now()))

    @get(
        "/{culture_id:str}",
        operation_id="getCulture",
        sync_to_thread=False,
        **contract(400, 401, 404, headers=(ETAG,), also={304: None}),
    )
    def get_culture(
        self,
        culture_id: PathId,
        principal: Caller,
        cultures: UseCases,
        batches_limit: BatchesLimit = 20,
        batches_cursor: BatchesCursor = None,
        if_none_match: IfNoneMatch = None,
    ) -> Response[CultureDetailOut]:
        """`ETag`: the culture's version and a digest of the rest (its stats move with
        feeds and with the day, which do not bump the version); `If-None-Match` -> 304."""
        detail = cultures.detail(
            principal.sub, culture_id, utc_now(), limit=batches_limit, cursor=batches_cursor
        )
        body = CultureDetailOut(
            **msgspec.structs.asdict(CultureOut.of(detail.culture)),
            stats=CultureStatsOut.of(detail.stats),
            batches=[CultureBatchOut.of(b) for b in detail.batches],
            next_batches_cursor=detail.next_batches_cursor,
        )
        tag = version_tag(detail.culture.version, msgspec.json.encode(body).decode())
        return conditional(body, tag, if_none_match)

    @patch(
        "/{culture_id:str}",
        operation_id="updateCulture",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413),
    )
    def update_culture(
        self,
        culture_id: PathId,
        data: JSONBody[UpdateCulture],
        principal: Caller,
        cultures: UseCases,
    ) -> CultureOut:
        edit = culture_edit(data)
        return CultureOut.of(
            cultures.update(principal.sub, culture_id, data.version, edit, utc_now())
        )

    @delete(
        "/{culture_id:str}",
        operation_id="deleteCulture",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
        **contract(401, 404),
    )
    def delete_culture(self, culture_id: PathId, principal: Caller, cultures: UseCases) -> None:
        cultures.delete(principal.sub, culture_id, utc_now())

    @post(
        "/{culture_id:str}/events",
        operation_id="addCultureEvent",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413),
    )
    def add_event(
        self,
        culture_id: PathId,
        data: JSONBody[CreateCultureEvent],
        principal: Caller,
        cultures: UseCases,
    ) -> CultureEventOut:
        draft = EventDraft(
            type=data.type, occurred_at=data.occurred_at, note=data.note, grams=data.grams
        )
        return CultureEventOut.of(cultures.add_event(principal.sub, culture_id, draft, utc_now()))

    @get(
        "/{culture_id:str}/events",
        operation_id="listCultureEvents",
        sync_to_thread=False,
        **contract(400, 401, 404),
    )
    def list_events(
        self,
        culture_id: PathId,
        principal: Caller,
        cultures: UseCases,
        limit: PageSize = 50,
        cursor: Cursor = None,
    ) -> CultureEventPage:
        page = cultures.events(principal.sub, culture_id, limit=limit, cursor=cursor)
        return CultureEventPage(
            items=[CultureEventOut.of(e) for e in page.items], next_cursor=page.next_cursor
        )

    @delete(
        "/{culture_id:str}/events/{event_id:str}",
        operation_id="deleteCultureEvent",
        status_code=HTTP_204_NO_CONTENT,
        sync_to_thread=False,
        **contract(401, 404, 409),
    )
    def delete_event(
        self, culture_id: PathId, event_id: PathId, principal: Caller, cultures: UseCases
    ) -> None:
        cultures.delete_event(principal.sub, culture_id, event_id, utc_now())

    @post(
        "/{culture_id:str}/split",
        operation_id="splitCulture",
        sync_to_thread=False,
        **contract(400, 401, 404, 409, 413, headers=(LOCATION,)),
    )
    def split(
        self,
        culture_id: PathId,
        data: JSONBody[SplitCulture],
        principal: Caller,
        cultures: UseCases,
    ) -> Response[CultureOut]:
        return created(cultures.split(principal.sub, culture_id, data.name, data.notes, utc_now()))

    @post(
        "/{culture_id:str}/gifts",
        operation_id="createGift",
        sync_to_thread=False,
        **contract(401, 404, 409),
    )
    def create_gift(
        self,
        request: Request[Any, Any, Any],
        culture_id: PathId,
        principal: Caller,
        cultures: UseCases,
        settings: Config,
    ) -> GiftOut:
        """A one-time code (7 days, one claim); shown once, only its hash is stored."""
        made = cultures.create_gift(principal.sub, culture_id, utc_now())
        code = display_code(made.code)
        base = public_base(settings, request)
        return GiftOut(
            code=code,
            culture_id=made.gift.culture_id,
            expires_at=made.gift.expires_at,
            claim_url=claim_url(base, code),
            label_url=f"{base}/cultures/{made.gift.culture_id}/gifts/{code}/label.svg",
        )

    @get(
        "/{culture_id:str}/gifts/{code:str}/label.svg",
        operation_id="getGiftLabel",
        media_type="image/svg+xml",
        sync_to_thread=False,
        **contract(401, 404, 409),
    )
    def gift_label(
        self,
        request: Request[Any, Any, Any],
        culture_id: PathId,
        code: GiftCodePath,
        principal: Caller,
        cultures: UseCases,
        settings: Config,
    ) -> Response[str]:
        """The printable label for a gift: its QR code is the claim link."""
        # On use: the public function serves this module's public routes without labels.
        from app.api.labels import render_label

        gift = cultures.gift_for_label(principal.sub, culture_id, code, utc_now())
        shown = display_code(normalize_gift_code(code) or code)
        svg = render_label(
            url=claim_url(public_base(settings, request), shown),
            name=gift.name,
            kind=CULTURE_KIND_LABELS.get(gift.kind, gift.kind),
            started=f"{gift.created_at:%d %b %Y}",
        )
        return Response(
            svg,
            media_type="image/svg+xml",
            headers={
                "Cache-Control": "private, no-store",
                "Content-Disposition": f'inline; filename="kefir-gift-{gift.culture_id}.svg"',
            },
        )

    @get(
        "/{culture_id:str}/lineage",
        operation_id="getCultureLineage",
        sync_to_thread=False,
        **contract(401, 404),
    )
    def lineage(self, culture_id: PathId, principal: Caller, cultures: UseCases) -> LineageOut:
        """Ancestors and descendants across accounts, each with its generation; another
        account's culture shows only its shared fields, or "a private culture"."""
        return lineage_out(cultures.family_tree(principal.sub, culture_id, utc_now()))


def culture_edit(data: UpdateCulture) -> CultureEdit:
    """A PATCH body (or a pushed update's fields) as the use case's edit."""
    return CultureEdit(
        name=None if data.name is UNSET else data.name,
        kind=None if data.kind is UNSET else data.kind,
        status=None if data.status is UNSET else data.status,
        acquired_at=None if data.acquired_at is UNSET else data.acquired_at,
        origin=None if data.origin is UNSET else data.origin,
        notes=data.notes if isinstance(data.notes, str) else None,
        clear_notes=data.notes is None,
        public=None if data.public is UNSET else data.public,
    )


def claim_url(base: str, code: str) -> str:
    return f"{base}/gift/{code}"
