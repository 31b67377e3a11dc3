"""A tenant's session with Debian's Python Docker SDK (python3-docker) against Shoal.

Run with `python3 -I -S`: only Debian's packages are on the path, so the SDK is Debian's
and not one installed by pip. DOCKER_HOST and DOCKER_CONFIG (whose config.json carries
the token in HttpHeaders) say where and who. Prints what it saw as one JSON object.
"""
import json
import sys
import time

sys.path.insert(0, "/usr/lib/python3/dist-packages")

import docker  # noqa: E402

client = docker.from_env(version="auto", timeout=120)
seen = {"sdk": docker.__version__}
started = int(time.time()) - 1

seen["ping"] = client.ping()
version = client.version()
seen["version"] = {"api": version["ApiVersion"], "server": version["Version"]}

pulled = client.images.pull("alpine")
seen["pulled"] = pulled.tags
seen["images"] = sorted(tag for image in client.images.list() for tag in image.tags)
seen["get"] = client.images.get("alpine").tags

job = client.containers.run(
    "alpine", ["sh", "-c", "echo hello; echo oops >&2; exit 3"], detach=True, name="py-job"
)
seen["wait"] = job.wait(timeout=60)["StatusCode"]
seen["logs"] = job.logs(stdout=True, stderr=False).decode()
seen["stderr"] = job.logs(stdout=False, stderr=True).decode()

web = client.containers.run("nginx", detach=True, name="py-web", labels={"app": "web"})
web.reload()
seen["web"] = web.status
seen["running"] = [c.name for c in client.containers.list()]
seen["listed"] = sorted(c.name for c in client.containers.list(all=True))
seen["labelled"] = [c.name for c in client.containers.list(filters={"label": "app=web"})]
info = client.info()
seen["info"] = {"containers": info["Containers"], "running": info["ContainersRunning"]}
web.stop(timeout=1)
web.reload()
seen["stopped"] = web.status

seen["foreground"] = client.containers.run("alpine", ["echo", "in the foreground"], remove=True).decode()

job.remove()
web.remove()
seen["left"] = [c.name for c in client.containers.list(all=True)]

events = client.events(
    since=started,
    until=int(time.time()) + 1,
    decode=True,
    filters={"type": "container", "container": ["py-job", "py-web"]},
)
seen["events"] = [[e["Action"], e["Actor"]["Attributes"]["name"]] for e in events]

print(json.dumps(seen))
