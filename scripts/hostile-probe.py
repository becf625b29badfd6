#!/usr/bin/env python3
"""Plays cheap attacks against a running Atelier and prints what they cost it, as JSON.

    python3 scripts/hostile-probe.py HOST PORT PID

(`bash scripts/bench hostile` starts the release server and runs this.) Silent and half-sent
connections, a declared 1 GB body, a foreign Host, 1,500 silent connections from one address
(the server's descriptors), a 2 MiB blank-node ring to verify (CPU), 200 wrong sign-ins at once (how many were checked, peak memory).
"""
import json, os, socket, sys, threading, time, urllib.error, urllib.request
from collections import Counter

host, port, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = {}

def conn():
    s = socket.create_connection((host, port))
    return s

def held(s, limit):
    s.settimeout(limit)
    t = time.time()
    try:
        s.recv(100)
        return round(time.time() - t, 2)
    except socket.timeout:
        return f"> {limit}"

def status_kib(field):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(field):
            return int(line.split()[1])

out["silent_connection_held_s"] = held(conn(), 30)
s = conn(); s.sendall(b"GET / HTTP/1.1\r\nHost: x")
out["half_head_held_s"] = held(s, 30)
s = conn()
s.sendall(b"POST /api/verify HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n")
s.settimeout(5)
try:
    out["declared_1GB_answer"] = s.recv(12).decode()
except socket.timeout:
    out["declared_1GB_answer"] = "none within 5 s"
s = conn(); s.sendall(f"GET / HTTP/1.1\r\nHost: evil.example:{port}\r\nConnection: close\r\n\r\n".encode())
out["foreign_host_answer"] = s.recv(12).decode()
fds_before = len(os.listdir(f"/proc/{pid}/fd"))
held_conns = []
for _ in range(1500):
    held_conns.append(conn())
time.sleep(0.5)  # let the server accept (or refuse) what the kernel queued
out["descriptors_for_1500_silent_connections"] = len(os.listdir(f"/proc/{pid}/fd")) - fds_before
for c in held_conns:
    c.close()
rss_before = status_kib("VmRSS:")
answers = []
def login(i):
    body = json.dumps({"username": f"nobody{i}", "password": "wrong password!"}).encode()
    request = urllib.request.Request(f"http://{host}:{port}/api/login", data=body, headers={"content-type": "application/json"})
    try:
        answers.append(urllib.request.urlopen(request, timeout=60).status)
    except urllib.error.HTTPError as e:
        answers.append(e.code)
threads = [threading.Thread(target=login, args=(i,)) for i in range(200)]
for t in threads: t.start()
for t in threads: t.join()
counts = Counter(answers)
out["sign_in_flood_200"] = {"checked_401": counts.get(401, 0), "refused_429": counts.get(429, 0), "other": {k: v for k, v in counts.items() if k not in (401, 429)}}
out["sign_in_flood_peak_memory_mib"] = round(status_kib("VmHWM:") / 1024, 1)
out["memory_before_flood_mib"] = round(rss_before / 1024, 1)
def cpu_s():
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
ring = {"@context": ["https://www.w3.org/ns/credentials/v2"], "https://example.org/ring": [
    {"@id": f"_:b{i}", "https://example.org/next": {"@id": f"_:b{(i + 1) % 30000}"}} for i in range(30000)]}
body = json.dumps(ring).encode()
before = cpu_s()
urllib.request.urlopen(urllib.request.Request(f"http://{host}:{port}/api/verify", data=body, headers={"content-type": "application/json"}), timeout=60).read()
out["verify_2MiB_blank_node_ring_cpu_s"] = round(cpu_s() - before, 3)
print(json.dumps(out, indent=2))
