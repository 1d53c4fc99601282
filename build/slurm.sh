#!/usr/bin/env bash
# Starts or stops a one-node Slurm cluster on this machine for the sweep tests: munged, slurmctld and slurmd as root,
# with a slurm.conf for this host's cores, no cgroups, and every state, spool, pid and log file under one folder.
#   bash build/slurm.sh start   installs Debian's slurm-wlm and munge if needed, starts the daemons, waits for the node
#   bash build/slurm.sh stop    stops the daemons started by "start" and removes the folder
# The folder is $INTERPKERNEL_SLURM_DIR (default /tmp/interpkernel-slurm). Needs root (or sudo) for apt and the daemons.
set -euo pipefail
dir=${INTERPKERNEL_SLURM_DIR:-/tmp/interpkernel-slurm}
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

stop() {
  for name in slurmd slurmctld munged; do
    if [ -f "$dir/$name.pid" ]; then
      pid=$(cat "$dir/$name.pid")
      $SUDO kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  done
  $SUDO rm -rf "$dir"
}

start() {
  if ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
    echo "Installing Debian packages: slurm-wlm munge"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq slurm-wlm munge >/dev/null
  fi
  if [ -f "$dir/slurmctld.pid" ] && kill -0 "$(cat "$dir/slurmctld.pid")" 2>/dev/null; then
    echo "Slurm is already running (state in $dir)"; return 0
  fi
  $SUDO rm -rf "$dir"
  mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"
  chmod 700 "$dir/munge"
  host=$(hostname -s)
  cat > "$dir/slurm.conf" <<CONF
ClusterName=interpkernel
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ReturnToService=2
MaxArraySize=10001
SchedulerParameters=sched_interval=1
NodeName=$host CPUs=$(nproc) RealMemory=8000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  # munge needs a key; the Debian package makes one, else make our own.
  key=/etc/munge/munge.key
  if [ ! -f "$key" ]; then key="$dir/munge/munge.key"; dd if=/dev/urandom of="$key" bs=1024 count=1 status=none; chmod 400 "$key"; fi
  $SUDO munged --force --key-file="$key" --socket="$dir/munge/munge.socket" --pid-file="$dir/munged.pid" --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed"
  export SLURM_CONF="$dir/slurm.conf"
  echo "AuthInfo=socket=$dir/munge/munge.socket" >> "$dir/slurm.conf"
  $SUDO env SLURM_CONF="$SLURM_CONF" slurmctld -f "$dir/slurm.conf"
  $SUDO env SLURM_CONF="$SLURM_CONF" slurmd -f "$dir/slurm.conf"
  for _ in $(seq 100); do
    if sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
      echo "Slurm is up: SLURM_CONF=$dir/slurm.conf"; return 0
    fi
    sleep 0.2
  done
  echo "Slurm did not come up; logs:"; tail -n 20 "$dir"/log/*.log; return 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: bash build/slurm.sh start|stop"; exit 2 ;;
esac
