"""The API's objects as TypedDicts, with the API's own field names (``_id``, ``frameRate``, ``organizationId``...).

Answers are the JSON the server sent, typed, not copied into classes: names stay those of docs/api-contract.txt and
the OpenAPI document, and a field a newer server adds reaches you instead of breaking the parse. Times are the API's
ISO 8601 strings (``datetime.fromisoformat`` reads them).
"""

from __future__ import annotations

from typing import Any, Final, Literal, NotRequired, TypedDict, get_args

Tier = Literal["stylized_3d", "animated_portrait", "realtime_lipsync"]
AvatarStatus = Literal["creating", "preprocessing", "ready", "failed"]
DeploymentState = Literal["stopped", "starting", "running", "stopping", "failed"]
RenderStyle = Literal["vrm", "orb"]
SchedulingMode = Literal["on_demand", "always_on"]
GpuType = Literal["nvidia-t4", "nvidia-l4", "nvidia-a10", "nvidia-l40s", "nvidia-a100", "nvidia-h100"]
Scope = Literal["avatars:read", "avatars:write", "keys:admin", "webhooks:admin"]
Transport = Literal["whep", "livekit"]
SessionState = Literal["active", "ended"]
Emotion = Literal["neutral", "happy", "sad", "surprised", "angry", "thinking"]
EMOTIONS: Final[tuple[Emotion, ...]] = get_args(Emotion)


class Expression(TypedDict):
    """An emotion a portrait shows (``neutral`` shows none) and how strongly, 0..1 (default 1)."""

    name: Emotion
    intensity: NotRequired[float]


class Resources(TypedDict, total=False):
    """Kubernetes-style resources; every field optional (defaults come from the tier)."""

    cpu: str
    memory: str
    gpu: int
    gpuType: GpuType


class RenderConfig(TypedDict):
    """An avatar's render settings, as the API answers them (all set)."""

    resolution: str
    frameRate: int
    idleMotion: bool


class RenderConfigInput(TypedDict, total=False):
    """Render settings to create or change: any subset."""

    resolution: str
    frameRate: int
    idleMotion: bool


class OnDemand(TypedDict):
    """When a Tier 2/3 avatar's rendering container runs, as the API answers it."""

    schedulingMode: SchedulingMode
    autoShutdownMinutes: int


class OnDemandInput(TypedDict, total=False):
    schedulingMode: SchedulingMode
    autoShutdownMinutes: int


class Deployment(TypedDict):
    """Tier 2/3: the rendering container."""

    state: DeploymentState
    since: str | None
    restarts: int
    lastError: str | None


class Avatar(TypedDict):
    """The full Avatar object."""

    _id: str
    name: str
    description: str | None
    tier: Tier
    renderStyle: NotRequired[RenderStyle]
    orbColor: NotRequired[str]
    orbSize: NotRequired[float]
    preprocessed: bool
    status: AvatarStatus
    error: str | None
    resources: Resources
    config: RenderConfig
    onDemand: NotRequired[OnDemand | None]
    sourceModel: str | None
    sourceImage: NotRequired[str | None]
    sourceInfo: dict[str, Any] | None
    renderingEndpoint: str | None
    deployment: NotRequired[Deployment]
    userId: str
    organizationId: str | None
    createdAt: str
    updatedAt: str


class AvatarSummary(TypedDict):
    """An avatar as the list shows it."""

    _id: str
    name: str
    tier: Tier
    status: AvatarStatus
    userId: str
    organizationId: str | None
    createdAt: str


class AvatarList(TypedDict):
    avatars: list[AvatarSummary]
    count: int
    """How many avatars match in all, not only on this page."""
    nextCursor: str | None
    """Pass it as ``after`` for the next page; None on the last page."""


class DeletedAvatar(TypedDict):
    _id: str


class UploadedSource(TypedDict):
    url: str
    field: Literal["sourceModel", "sourceImage"]
    size: int


class Preview(TypedDict):
    """Tier 1: the VRM's URL (or an orb's colour and size); Tier 2/3: a clip rendered by the container."""

    avatarId: str
    previewUrl: str | None
    tier: NotRequired[str]
    message: NotRequired[str]
    status: NotRequired[Literal["completed"]]
    renderStyle: NotRequired[str]
    orbColor: NotRequired[str]
    orbSize: NotRequired[float]


class LiveKitJoin(TypedDict):
    """The LiveKit room a ``livekit`` session's avatar joins: the server's URL and a room token for the avatar."""

    url: str
    token: str


class StartedSession(TypedDict):
    """The answer to starting a live session: the agent's and the viewers' tokens, where to speak and watch."""

    sessionId: str
    transport: Transport
    participantIdentity: str | None
    token: str
    """The agent token: speaks on ``url`` (add ``?token=``). Keep it with the agent."""
    viewerToken: str
    """The viewer token: watches over ``whepUrl``, never speaks. Safe to share."""
    expiresAt: str
    url: str
    whepUrl: str


class Latency(TypedDict):
    p50: float
    p95: float


class SessionMetrics(TypedDict):
    """A session's live figures from its rendering container."""

    timeToFirstFrameMs: float | None
    fps: float
    latencyMs: Latency | None
    driftMs: float | None
    maxDriftMs: float | None
    framesDrawn: int
    framesSkipped: int
    # Newer servers (frames over the speech socket) also count what a slow reader made them drop.
    framesDropped: NotRequired[int]
    audioDroppedMs: NotRequired[float]
    viewers: int
    speechSeconds: float
    queuedMs: float


class LiveSession(TypedDict):
    """A live session as a resource."""

    _id: str
    avatarId: str
    transport: Transport
    state: SessionState
    createdAt: str
    expiresAt: str
    endedAt: str | None
    endReason: str | None
    """end, deleted, max-session, idle, shutdown, agent-left, room-closed, renderer-failed or renderer-gone."""
    participantIdentity: str | None
    metrics: SessionMetrics | None


class SessionList(TypedDict):
    sessions: list[LiveSession]
    count: int
    nextCursor: str | None


class WhoAmI(TypedDict):
    keyId: str
    userId: str
    organizationId: str | None
    scopes: list[Scope]


class ApiKey(TypedDict):
    """An API key without its secret."""

    id: str
    name: str | None
    prefix: str
    userId: str
    organizationId: str | None
    scopes: list[Scope]
    createdAt: str
    expiresAt: str | None
    revokedAt: str | None


class CreatedApiKey(ApiKey):
    key: str
    """The secret, shown only in this answer: send it as ``X-API-Key``."""


class ApiKeyList(TypedDict):
    keys: list[ApiKey]
    count: int
    nextCursor: str | None


class ErrorDetail(TypedDict):
    path: str
    message: str


VideoStatus = Literal["queued", "rendering", "completed", "failed"]
VideoSource = Literal["audio", "text"]


class ColorBackground(TypedDict):
    color: str
    """``#rrggbb``"""


class ImageBackground(TypedDict):
    imageUrl: str


class Video(TypedDict):
    """A talking video job (docs/videos.md): ``queued``, ``rendering`` (``progress`` 0..1), then ``completed``
    (``url``, and ``transparentUrl`` when asked for) or ``failed`` (``error``, a sentence)."""

    _id: str
    avatarId: str
    status: VideoStatus
    progress: float
    url: str | None
    """The MP4 (H.264 + AAC), once completed: a capability URL, fetched without a key."""
    transparentUrl: str | None
    """The WebM (VP9 with alpha), once completed, when ``transparent`` was asked for."""
    durationSeconds: float
    width: int
    height: int
    frameRate: int
    error: str | None
    source: VideoSource
    transparent: bool
    expression: Expression | None
    background: ColorBackground | ImageBackground | None
    userId: str
    organizationId: str | None
    createdAt: str
    updatedAt: str
    completedAt: str | None


class VideoList(TypedDict):
    videos: list[Video]
    count: int
    nextCursor: str | None


WebhookEventType = Literal[
    "video.completed",
    "video.failed",
    "avatar.ready",
    "avatar.failed",
    "deployment.running",
    "deployment.failed",
    "session.ended",
]
WEBHOOK_EVENT_TYPES: Final[tuple[WebhookEventType, ...]] = get_args(WebhookEventType)
WebhookStatus = Literal["active", "failing", "disabled"]
DeliveryStatus = Literal["pending", "delivered", "failed"]


class Webhook(TypedDict):
    """An endpoint the API POSTs events to (docs/webhooks.md), without its secret."""

    _id: str
    url: str
    events: list[WebhookEventType]
    description: str | None
    status: WebhookStatus
    """``failing``: a delivery ran out of retries (a later success makes it ``active``); ``disabled``: it answered 410."""
    statusReason: str | None
    userId: str
    organizationId: str | None
    createdAt: str
    updatedAt: str


class CreatedWebhook(Webhook):
    secret: str
    """``whsec_...``: what deliveries are signed with (:class:`avatars.WebhookVerifier`). Shown only in this answer."""


class WebhookList(TypedDict):
    webhooks: list[Webhook]
    count: int
    nextCursor: str | None


class WebhookPayload(TypedDict):
    """The body of a delivery, as the delivery log shows it."""

    type: WebhookEventType
    timestamp: str
    data: dict[str, Any]


class WebhookDelivery(TypedDict):
    """One event sent (or being sent) to an endpoint, with its attempts."""

    id: str
    """``msg_...``, the ``webhook-id`` header of every attempt."""
    event: WebhookEventType
    status: DeliveryStatus
    attempts: int
    lastStatusCode: int | None
    """The receiver's last HTTP status; None when it never answered (``lastError`` says why)."""
    lastError: str | None
    nextAttemptAt: str | None
    createdAt: str
    updatedAt: str
    deliveredAt: str | None
    payload: WebhookPayload


class WebhookDeliveryList(TypedDict):
    deliveries: list[WebhookDelivery]
    count: int
    nextCursor: str | None


# The events a receiver gets, one TypedDict per type: checking ``event["type"]`` narrows ``event["data"]``.


class AvatarReadyData(TypedDict):
    avatarId: str
    name: str
    tier: Tier
    status: Literal["ready"]


class AvatarFailedData(TypedDict):
    avatarId: str
    name: str
    tier: Tier
    error: str


class DeploymentRunningData(TypedDict):
    avatarId: str
    state: Literal["running"]


class DeploymentFailedData(TypedDict):
    avatarId: str
    state: Literal["failed"]
    error: str | None


class SessionEndedData(TypedDict):
    sessionId: str
    avatarId: str
    endReason: str | None
    endedAt: str


class VideoCompletedEvent(TypedDict):
    type: Literal["video.completed"]
    timestamp: str
    data: Video


class VideoFailedEvent(TypedDict):
    type: Literal["video.failed"]
    timestamp: str
    data: Video


class AvatarReadyEvent(TypedDict):
    type: Literal["avatar.ready"]
    timestamp: str
    data: AvatarReadyData


class AvatarFailedEvent(TypedDict):
    type: Literal["avatar.failed"]
    timestamp: str
    data: AvatarFailedData


class DeploymentRunningEvent(TypedDict):
    type: Literal["deployment.running"]
    timestamp: str
    data: DeploymentRunningData


class DeploymentFailedEvent(TypedDict):
    type: Literal["deployment.failed"]
    timestamp: str
    data: DeploymentFailedData


class SessionEndedEvent(TypedDict):
    type: Literal["session.ended"]
    timestamp: str
    data: SessionEndedData


WebhookEvent = (
    VideoCompletedEvent
    | VideoFailedEvent
    | AvatarReadyEvent
    | AvatarFailedEvent
    | DeploymentRunningEvent
    | DeploymentFailedEvent
    | SessionEndedEvent
)
"""A verified delivery's body (:meth:`avatars.WebhookVerifier.verify`)."""
