"""client.videos: a talking video from text and from an uploaded audio file, rendered by the real server (an orb, in
its headless Chromium), followed to the MP4; list, walk, delete; the refusals; a wait that times out, and one whose
job fails."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx
import pytest

from avatars import (
    AsyncAvatarsClient,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UnprocessableEntityError,
    VideoFailedError,
    VideoWaitTimeoutError,
)
from avatars.types import Avatar

from .support import Server, spoken_wav, wav_seconds

# Small and slow-paced, so a clip renders in a few seconds.
SIZE, RATE = 256, 24
# Speech long enough that its render is still running when the test looks (espeak-ng: about 30 s).
LONG_TEXT = "This sentence is long enough to keep the renderer busy for a good while. " * 6


async def orb(client: AsyncAvatarsClient, name: str) -> Avatar:
    return await client.avatars.create(
        name=name, tier="stylized_3d", render_style="orb", config={"resolution": f"{SIZE}x{SIZE}", "frameRate": RATE}
    )


async def mp4(url: str | None) -> bytes:
    assert url is not None
    async with httpx.AsyncClient() as http:  # a capability URL: no key
        answer = await http.get(url)
    assert answer.status_code == 200
    return answer.content


async def test_a_text_becomes_an_mp4(client: AsyncAvatarsClient, unique: str) -> None:
    avatar = await orb(client, unique)
    queued = await client.videos.create(
        avatar["_id"], text="Hello, I am a talking orb.", voice="en-gb", expression={"name": "happy", "intensity": 0.6}
    )
    assert queued["_id"].startswith("vid_")
    assert (queued["avatarId"], queued["status"], queued["source"]) == (avatar["_id"], "queued", "text")
    assert queued["url"] is None and queued["durationSeconds"] > 0
    assert queued["expression"] == {"name": "happy", "intensity": 0.6}
    assert (queued["userId"], queued["organizationId"]) == ("u", "o")

    done = await client.videos.wait_until_done(queued["_id"], timeout=180, interval=0.25)
    assert (done["status"], done["progress"], done["error"]) == ("completed", 1, None)
    assert (done["width"], done["height"], done["frameRate"]) == (SIZE, SIZE, RATE)
    # PostgreSQL keeps it as a 4-byte float: the stored value may differ from the answer's past the 7th digit.
    assert done["durationSeconds"] == pytest.approx(queued["durationSeconds"], abs=1e-4)
    assert done["completedAt"] is not None and done["transparentUrl"] is None
    assert (await mp4(done["url"]))[4:8] == b"ftyp"
    assert await client.videos.get(queued["_id"]) == done


async def test_an_uploaded_audio_file_becomes_an_mp4_of_its_length(
    client: AsyncAvatarsClient, unique: str, tmp_path: Path
) -> None:
    avatar = await orb(client, unique)
    wav = spoken_wav("Good morning.")
    path = tmp_path / "greeting.wav"
    path.write_bytes(wav)
    # From a path, with a background colour and a transparent WebM as well; from bytes, plainly.
    from_path = await client.videos.create(avatar["_id"], audio=path, background="#102030", transparent=True)
    from_bytes = await client.videos.create(avatar["_id"], audio=wav)
    for queued in (from_path, from_bytes):
        assert queued["source"] == "audio"
        assert abs(queued["durationSeconds"] - wav_seconds(wav)) <= 1 / RATE
    assert (from_path["transparent"], from_path["background"]) == (True, {"color": "#102030"})

    done = await client.videos.wait_until_done(from_path["_id"], timeout=180, interval=0.25)
    assert (await mp4(done["url"]))[4:8] == b"ftyp"
    webm = await mp4(done["transparentUrl"])
    assert webm[:4] == b"\x1a\x45\xdf\xa3"  # EBML: a WebM
    assert (await client.videos.wait_until_done(from_bytes["_id"], timeout=180, interval=0.25))["url"] is not None


async def test_list_walk_and_delete(
    client: AsyncAvatarsClient, reader: AsyncAvatarsClient, stranger: AsyncAvatarsClient, unique: str
) -> None:
    avatar = await orb(client, unique)
    ids = [(await client.videos.create(avatar["_id"], text=f"Clip {n}."))["_id"] for n in range(3)]
    page = await reader.videos.list(avatar["_id"], limit=2)
    assert page["count"] == 3 and [v["_id"] for v in page["videos"]] == ids[:0:-1]
    assert page["nextCursor"] is not None
    rest = await reader.videos.list(avatar["_id"], limit=2, after=page["nextCursor"])
    assert [v["_id"] for v in rest["videos"]] == ids[:1] and rest["nextCursor"] is None
    assert [v["_id"] async for v in reader.videos.iterate(avatar["_id"], page_size=1)] == ids[::-1]

    # Another tenant sees none of it; a reader may not delete.
    with pytest.raises(NotFoundError):
        await stranger.videos.get(ids[0])
    with pytest.raises(NotFoundError):
        await stranger.videos.list(avatar["_id"])
    with pytest.raises(ForbiddenError) as e:
        await reader.videos.delete(ids[0])
    assert e.value.code == "scope-required"

    # Delete cancels a queued or rendering job and removes a finished one: the job is gone either way.
    for video_id in ids:
        await client.videos.delete(video_id)
        with pytest.raises(NotFoundError):
            await client.videos.get(video_id)
    assert (await client.videos.list(avatar["_id"]))["count"] == 0
    with pytest.raises(NotFoundError):
        await client.videos.delete(ids[0])
    with pytest.raises(NotFoundError):
        await client.videos.wait_until_done(ids[0], timeout=5)


async def test_bad_input_is_refused_and_leaves_nothing(
    client: AsyncAvatarsClient, reader: AsyncAvatarsClient, unique: str
) -> None:
    avatar = await orb(client, unique)
    # One of audio and text: said before anything is sent.
    with pytest.raises(ValueError, match="audio"):
        await client.videos.create(avatar["_id"])
    with pytest.raises(ValueError, match="one of the two"):
        await client.videos.create(avatar["_id"], text="Hi", audio=b"RIFF")

    with pytest.raises(UnprocessableEntityError) as not_audio:
        await client.videos.create(avatar["_id"], audio=b"RIFF this is a text file pretending to be a WAV" * 20)
    assert not_audio.value.code == "invalid-source"
    with pytest.raises(BadRequestError) as voice:
        await client.videos.create(avatar["_id"], text="Hi", voice="klingon")
    assert voice.value.details[0]["path"] == "voice"
    with pytest.raises(BadRequestError) as feeling:
        await client.videos.create(avatar["_id"], text="Hi", expression={"name": "bored"})  # type: ignore[arg-type]
    assert feeling.value.details[0]["path"].startswith("expression")
    with pytest.raises(BadRequestError) as colour:
        await client.videos.create(avatar["_id"], audio=spoken_wav("Hi."), background="red")
    assert colour.value.details[0]["path"] == "background"
    with pytest.raises(ForbiddenError):
        await reader.videos.create(avatar["_id"], text="Hi")
    with pytest.raises(NotFoundError):
        await client.videos.create("avt_doesNotExist00", text="Hi")
    assert (await client.videos.list(avatar["_id"]))["count"] == 0

    # A VRM avatar without its model, and a portrait asked for transparency.
    vrm = await client.avatars.create(name=unique, tier="stylized_3d")
    with pytest.raises(ConflictError):
        await client.videos.create(vrm["_id"], text="Hi")
    portrait = await client.avatars.create(name=unique, tier="animated_portrait")
    with pytest.raises(BadRequestError) as alpha:
        await client.videos.create(portrait["_id"], text="Hi", transparent=True)
    assert alpha.value.details[0]["path"] == "transparent"


async def test_a_wait_that_runs_out_and_a_job_that_fails(
    server: Server, client: AsyncAvatarsClient, unique: str
) -> None:
    avatar = await orb(client, unique)
    long = await client.videos.create(avatar["_id"], text=LONG_TEXT)
    assert long["durationSeconds"] > 20
    # Renders one at a time per avatar: this one waits behind the long one, queued, its speech stored.
    doomed = await client.videos.create(avatar["_id"], text="This speech will be lost.")
    try:
        with pytest.raises(VideoWaitTimeoutError) as waited:
            await client.videos.wait_until_done(long["_id"], timeout=0)
        assert waited.value.video["_id"] == long["_id"]
        assert waited.value.video["status"] in ("queued", "rendering")
        assert isinstance(waited.value, TimeoutError)

        # Its stored speech lost (a blob store that failed): the job fails with a sentence when its turn comes.
        speech = list((server.blobs / "avatars" / avatar["_id"] / "videos" / doomed["_id"]).glob("*"))
        assert speech, "the queued job's speech is stored"
        for file in speech:
            file.unlink()
    finally:
        await client.videos.delete(long["_id"])
    with pytest.raises(VideoFailedError) as failed:
        await client.videos.wait_until_done(doomed["_id"], timeout=120, interval=0.25)
    assert failed.value.video["status"] == "failed"
    assert failed.value.video["error"] and failed.value.video["error"] in str(failed.value)
    with contextlib.suppress(NotFoundError):
        await client.videos.delete(doomed["_id"])
    await asyncio.sleep(0)
