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
Scope = Literal["avatars:read", "avatars:write", "keys:admin"]
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


class ErrorDetail(TypedDict):
    path: str
    message: str
