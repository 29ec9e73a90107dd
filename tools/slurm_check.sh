#!/usr/bin/env bash
# A sweep on a real, single-node Slurm cluster on this machine (run by
# .ci/run): munged as the munge user, slurmctld and slurmd from Debian's
# packages with a slurm.conf of our own (NodeAddr=127.0.0.1,
# proctrack/linuxproc, task/none, no accounting), the emitted job array
# submitted with `sbatch --wait`, and `triage sweep collect` merging what
# the array elements wrote. The daemons are stopped by their pid at the
# end, whatever happens.
#
# usage: tools/slurm_check.sh TRIAGE_BINARY WORK_DIR
set -euo pipefail
triage=$(realpath "$1")
work=$(realpath -m "$2")
for tool in slurmctld slurmd sbatch munged; do
    if ! command -v "$tool" >/dev/null 2>&1 && [ ! -x "/usr/sbin/$tool" ]; then
        echo "slurm_check: $tool not found (tools/setup.sh installs slurmctld, slurmd, slurm-client and munge)" >&2
        exit 2
    fi
done
export PATH="$PATH:/usr/sbin"
rm -rf "$work"
mkdir -p "$work"/{state,spool,log,run}
host=$(hostname -s)
cpus=$(nproc)
conf="$work/slurm.conf"
cat >"$conf" <<CONF
ClusterName=triage-check
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=check Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$conf"

stop() {
    for f in "$work/run/slurmd.pid" "$work/run/slurmctld.pid"; do
        [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
    done
    if [ -n "${mrun:-}" ] && [ -f "$mrun/munged.pid" ]; then
        kill "$(cat "$mrun/munged.pid")" 2>/dev/null || true
        cp "$mrun/munged.log" "$work/log/" 2>/dev/null || true
        rm -rf "$mrun"
    fi
}
trap stop EXIT

# munged as the munge user, with its own socket so a system munged (if
# any) is left alone; in a folder of its own under /tmp, which the munge
# user can reach wherever the checkout is.
mrun=$(mktemp -d /tmp/triage-munge.XXXXXX)
chmod 755 "$mrun"
chown munge:munge "$mrun"
sock="$mrun/munge.socket"
runuser -u munge -- munged --socket="$sock" --pid-file="$mrun/munged.pid" \
    --log-file="$mrun/munged.log" --seed-file="$mrun/munged.seed" --force
# Slurm's auth/munge plugin finds the socket through AuthInfo.
sed -i "s|^AuthType=auth/munge|AuthType=auth/munge\nAuthInfo=socket=$sock|" "$conf"
slurmctld -f "$conf"
slurmd -f "$conf"
for _ in $(seq 1 60); do
    if sinfo -h -o '%T' 2>/dev/null | grep -qE 'idle|mixed'; then break; fi
    sleep 1
done
sinfo

# The sweep: a 2-configuration × 2-seed plan on tiny synthetic data.
"$triage" synth "$work/syn" --classes 3 --per-class 24 --size 16 --seed 3 --val 0.25 --test 0.25 >/dev/null
cat >"$work/plan.toml" <<PLAN
[sweep]
name = "slurm-check"
data = "syn/manifest.csv"
seeds = [0, 1]
baseline = "adamw"

[train]
epochs = 3
batch-size = 8
model = "linear"

[[config]]
name = "adamw"
optimizer = "adamw"

[[config]]
name = "nesterov"
optimizer = "nesterov"
lr = 0.01
PLAN
script=$("$triage" sweep "$work/plan.toml" --emit slurm)
cat "$script"
sbatch --wait "$script"
"$triage" sweep status "$work/plan.toml"
"$triage" sweep collect "$work/plan.toml"
python3 - "$work/plan-runs/results.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["format"] == "triage-sweep", doc["format"]
assert doc["tasks_done"] == doc["tasks_total"] == 4, (doc["tasks_done"], doc["tasks_total"])
hosts = set()
for c in doc["configs"]:
    assert len(c["runs"]) == 2, c["name"]
print("slurm_check: 4 array tasks ran under Slurm and were collected")
PY
grep -h "done:" "$work"/plan-runs/logs/*.out | head -4 || true
