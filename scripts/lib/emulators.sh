# shellcheck shell=bash
#
# Local Google Cloud emulators for tests and scripts/dev. Source this file,
# then:
#
#   trap emulators_stop EXIT
#   emulators_start firestore pubsub tasks auth
#
# or, to do other work while they boot (the Auth emulator takes about ten
# seconds), emulators_launch NAME... and later emulators_wait.
#
# Each emulator listens on a free loopback port and runs in its own process
# group, because gcloud starts the real (Java) emulator as a child and leaves
# it running when only gcloud itself is killed. emulators_start exports
# FIRESTORE_EMULATOR_HOST, PUBSUB_EMULATOR_HOST, CLOUD_TASKS_EMULATOR_HOST and
# FIREBASE_AUTH_EMULATOR_HOST (host:port) for the ones it started.
#
# The Firebase Auth emulator (firebase-tools, installed by
# scripts/install-tools) serves the project id in EMULATORS_AUTH_PROJECT to
# clients that sign in with an API key; Admin SDK clients must use the same
# project id (shared/auth/authtest does).
#
# Under CI=true an emulator that cannot be started is an error; elsewhere the
# missing one is reported on one line and the tests that need it skip.
#
# Settings (environment):
#   SMSDESK_TOOLS_DIR           where scripts/install-tools put the Cloud
#                               Tasks emulator (default ~/.cache/smsdesk/bin)
#   SMSDESK_NODE_TOOLS_DIR      where scripts/install-tools put firebase-tools
#                               (default ~/.cache/smsdesk/npm)
#   SMSDESK_EMULATOR_TIMEOUT    seconds to wait for each emulator (default 90)
#   SMSDESK_EMULATOR_PROJECT    project the Pub/Sub emulator is started for
#                               and the product's queues are pre-created in
#                               (default $GOOGLE_CLOUD_PROJECT, else
#                               smsdesk-dev)
#   SMSDESK_KEEP_EMULATOR_LOGS  keep the log folder even after a clean run

# Only the caller's shell holds these; nothing else reads them.
_emu_dir=""
_emu_pgids=()
# Launched, not yet waited for: one "name pid log host:port" each.
_emu_pending=()
# When the first of them was launched (microseconds), for the timings.
_emu_t0=""
# Ready ones by name: "pgid host:port", for emulators_kill and
# emulators_restart.
declare -gA _emu_ready=()
# The port the next launch binds instead of a free one (a restart keeps
# its port, which the clients hold).
_emu_want_port=""

# The "demo-" prefix tells firebase-tools that no real Firebase project
# stands behind it, so it never asks for credentials or reaches Google.
EMULATORS_AUTH_PROJECT=demo-smsdesk

# The port range the kernel hands out for outgoing connections: a port picked
# below it cannot be taken by a client socket between our pick and the
# emulator's bind.
_emu_port_low() {
	local low _
	if read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null; then
		echo "$low"
	else
		echo 32768
	fi
}

# emulators_free_port prints a loopback TCP port nobody listens on. Bash
# cannot bind a socket, so it probes: a refused connect means the port is
# free. The pick is random so parallel runs rarely race for one port, and a
# lost race shows up as a clear start-up failure with the emulator's log.
emulators_free_port() {
	local low port tries
	low=$(_emu_port_low)
	((low > 11000)) || low=32768
	for ((tries = 0; tries < 100; tries++)); do
		port=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	echo "emulators: no free loopback port found after ${tries} tries" >&2
	return 1
}

_emu_is_ci() {
	[[ "${CI:-}" == "true" ]]
}

# _emu_missing reports a prerequisite that is not installed: fatal in CI,
# one line and a skip elsewhere.
_emu_missing() {
	local name=$1 what=$2
	if _emu_is_ci; then
		echo "emulators: ERROR: cannot start ${name}: ${what} (CI=true requires every emulator)" >&2
		return 1
	fi
	echo "emulators: ${name} not started: ${what}; its tests will skip" >&2
	return 0
}

_emu_project() {
	echo "${SMSDESK_EMULATOR_PROJECT:-${GOOGLE_CLOUD_PROJECT:-smsdesk-dev}}"
}

_emu_tools_dir() {
	echo "${SMSDESK_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/smsdesk/bin}"
}

_emu_node_tools_dir() {
	echo "${SMSDESK_NODE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/smsdesk/npm}"
}

# _emu_free_ports N prints N different free loopback ports, one a line: one
# emulator may need several, and independent picks can coincide.
_emu_free_ports() {
	local n=$1 port p dup tries=0
	local -a ports=()
	while ((${#ports[@]} < n)); do
		if ((tries++ >= 10 * n)); then
			echo "emulators: no ${n} different free loopback ports found" >&2
			return 1
		fi
		port=$(emulators_free_port) || return 1
		dup=0
		for p in "${ports[@]}"; do
			[[ "$p" == "$port" ]] && dup=1
		done
		((dup)) || ports+=("$port")
	done
	printf '%s\n' "${ports[@]}"
}

# _emu_gcloud_component checks that gcloud has the emulator's component
# installed, without running gcloud (which takes seconds to start).
_emu_gcloud_component() {
	local component=$1 gcloud root
	gcloud=$(command -v gcloud) || return 1
	root=$(dirname "$(dirname "$(readlink -f "$gcloud")")")
	[[ -d "${root}/platform/${component}" ]]
}

# _emu_spawn LOGFILE CMD... starts CMD in a new session (and so a new
# process group whose id is its pid) and records the group for
# emulators_stop.
_emu_spawn() {
	local log=$1
	shift
	local had_monitor=0 pid
	# With job control on, bash would make the background job a group leader
	# and setsid would then fork, leaving $! pointing at a process that exits
	# at once. Without it the child is not a leader, so setsid keeps its pid.
	if [[ $- == *m* ]]; then
		had_monitor=1
		set +m
	fi
	setsid "$@" </dev/null >"$log" 2>&1 &
	pid=$!
	if ((had_monitor)); then
		set -m
	fi
	_emu_pgids+=("$pid")
}

_emu_log_tail() {
	local name=$1 log=$2
	echo "----- last lines of the ${name} emulator log (${log}) -----" >&2
	tail -n 30 "$log" >&2 2>/dev/null || true
	echo "-----" >&2
}

# _emu_wait NAME PID LOG CHECK... polls CHECK until it succeeds, the process
# dies, or the timeout passes.
_emu_wait() {
	local name=$1 pid=$2 log=$3
	shift 3
	local timeout=${SMSDESK_EMULATOR_TIMEOUT:-90}
	local start=$SECONDS
	while ! "$@"; do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "emulators: ERROR: the ${name} emulator exited during start-up" >&2
			_emu_log_tail "$name" "$log"
			return 1
		fi
		if ((SECONDS - start >= timeout)); then
			echo "emulators: ERROR: the ${name} emulator was not ready after ${timeout}s" >&2
			_emu_log_tail "$name" "$log"
			return 1
		fi
		sleep 0.1
	done
}

# The Firestore emulator answers GET / with "Ok" once it serves requests.
_emu_ready_firestore() {
	local body
	body=$(curl -fsS --max-time 2 "http://$1/" 2>/dev/null) || return 1
	[[ "$body" == Ok* ]]
}

# The Pub/Sub emulator serves HTTP on its gRPC port once it is up.
_emu_ready_http() {
	curl -sS --max-time 2 -o /dev/null "http://$1/" 2>/dev/null
}

# The Cloud Tasks emulator speaks gRPC only: an accepted connection will do.
_emu_ready_tcp() {
	(exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null
}

# The Auth emulator answers GET / with {"authEmulator":{"ready":true,...}}.
# Most of its start-up is compiling its OpenAPI schema validators (about 9 s
# of one core), after which it binds its port.
_emu_ready_auth() {
	local body
	body=$(curl -fsS --max-time 2 "http://$1/" 2>/dev/null) || return 1
	[[ "$body" == *'"ready": true'* || "$body" == *'"ready":true'* ]]
}

# _emu_launch NAME prints "pid log host:port check-function" after starting
# one emulator, or nothing when it was skipped.
_emu_launch() {
	local name=$1 port hostport log
	log="${_emu_dir}/${name}.log"
	case "$name" in
	firestore)
		command -v gcloud >/dev/null || { _emu_missing "$name" "gcloud is not installed"; return; }
		command -v java >/dev/null || { _emu_missing "$name" "java is not installed"; return; }
		_emu_gcloud_component cloud-firestore-emulator ||
			{ _emu_missing "$name" "the gcloud component cloud-firestore (package google-cloud-cli-firestore-emulator) is not installed"; return; }
		port=${_emu_want_port:-$(emulators_free_port)} || return
		hostport="127.0.0.1:${port}"
		_emu_spawn "$log" gcloud emulators firestore start --quiet --host-port="$hostport"
		;;
	pubsub)
		command -v gcloud >/dev/null || { _emu_missing "$name" "gcloud is not installed"; return; }
		command -v java >/dev/null || { _emu_missing "$name" "java is not installed"; return; }
		_emu_gcloud_component pubsub-emulator ||
			{ _emu_missing "$name" "the gcloud component pubsub-emulator (package google-cloud-cli-pubsub-emulator) is not installed"; return; }
		port=${_emu_want_port:-$(emulators_free_port)} || return
		hostport="127.0.0.1:${port}"
		mkdir -p "${_emu_dir}/pubsub-data"
		_emu_spawn "$log" gcloud beta emulators pubsub start --quiet \
			--host-port="$hostport" \
			--project="$(_emu_project)" \
			--data-dir="${_emu_dir}/pubsub-data"
		;;
	tasks)
		local bin
		bin="$(_emu_tools_dir)/cloud-tasks-emulator"
		[[ -x "$bin" ]] || { _emu_missing "$name" "${bin} is missing (run scripts/install-tools)"; return; }
		port=${_emu_want_port:-$(emulators_free_port)} || return
		hostport="127.0.0.1:${port}"
		# Queues are created through the CreateQueue API (tests use unique
		# names); the product's own queues are created up front as well so a
		# dev server can enqueue without any wiring.
		local project
		project=$(_emu_project)
		local location=${TASKS_LOCATION:-us-central1}
		local prefix="projects/${project}/locations/${location}/queues"
		_emu_spawn "$log" "$bin" -host 127.0.0.1 -port "$port" \
			-queue "${prefix}/sms-send" -queue "${prefix}/chat-timers"
		;;
	auth)
		local firebase dir hub logging
		firebase="$(_emu_node_tools_dir)/node_modules/.bin/firebase"
		command -v node >/dev/null || { _emu_missing "$name" "node is not installed"; return; }
		[[ -x "$firebase" ]] || { _emu_missing "$name" "${firebase} is missing (run scripts/install-tools)"; return; }
		# firebase-tools also starts its emulator hub and logging server, on
		# fixed ports (4400, 4500) unless told otherwise: give them free ones
		# so that parallel runs do not collide.
		{ read -r port && read -r hub && read -r logging; } < <(_emu_free_ports 3) || return
		hostport="127.0.0.1:${port}"
		dir="${_emu_dir}/auth"
		mkdir -p "${dir}/tmp" "${dir}/config"
		printf '%s\n' "{\"emulators\":{\"auth\":{\"host\":\"127.0.0.1\",\"port\":${port}},\"hub\":{\"host\":\"127.0.0.1\",\"port\":${hub}},\"logging\":{\"host\":\"127.0.0.1\",\"port\":${logging}},\"ui\":{\"enabled\":false}}}" \
			>"${dir}/firebase.json"
		# It runs in its own folder (firebase.json and firebase-debug.log),
		# with its own TMPDIR (its hub writes a locator file named after the
		# project there) and configuration store, so concurrent runs share
		# nothing. CI=1 stops it fetching a message of the day from the
		# network; NO_UPDATE_NOTIFIER its update check.
		_emu_spawn "$log" env -C "$dir" CI=1 NO_UPDATE_NOTIFIER=1 \
			TMPDIR="${dir}/tmp" XDG_CONFIG_HOME="${dir}/config" \
			"$firebase" emulators:start --only auth --project "$EMULATORS_AUTH_PROJECT"
		;;
	*)
		echo "emulators: ERROR: unknown emulator '${name}' (want firestore, pubsub, tasks or auth)" >&2
		return 1
		;;
	esac
	echo "${_emu_pgids[-1]} ${log} ${hostport}"
}

# emulators_launch NAME... starts the named emulators (firestore, pubsub,
# tasks, auth) side by side and returns without waiting for them.
emulators_launch() {
	local name line
	if [[ -z "$_emu_dir" ]]; then
		_emu_dir=$(mktemp -d "${TMPDIR:-/tmp}/smsdesk-emulators.XXXXXX")
	fi
	export CLOUDSDK_CORE_DISABLE_PROMPTS=1
	export CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK=1
	[[ -n "$_emu_t0" ]] || _emu_t0=${EPOCHREALTIME/./}
	for name in "$@"; do
		# _emu_launch runs in this shell (not a subshell) so that the process
		# groups it records are ours; its one line of output goes through a
		# file descriptor instead of command substitution.
		_emu_launch "$name" >"${_emu_dir}/.launch" || return 1
		line=$(<"${_emu_dir}/.launch")
		[[ -n "$line" ]] && _emu_pending+=("${name} ${line}")
	done
	return 0
}

# emulators_wait waits until every launched emulator is ready and exports
# its host variable. It must run in the shell that launched them.
emulators_wait() {
	local entry name pid log hostport us
	for entry in "${_emu_pending[@]}"; do
		read -r name pid log hostport <<<"$entry"
		case "$name" in
		firestore)
			_emu_wait "$name" "$pid" "$log" _emu_ready_firestore "$hostport" || return 1
			export FIRESTORE_EMULATOR_HOST="$hostport"
			;;
		pubsub)
			_emu_wait "$name" "$pid" "$log" _emu_ready_http "$hostport" || return 1
			export PUBSUB_EMULATOR_HOST="$hostport"
			;;
		tasks)
			_emu_wait "$name" "$pid" "$log" _emu_ready_tcp "$hostport" || return 1
			export CLOUD_TASKS_EMULATOR_HOST="$hostport"
			;;
		auth)
			_emu_wait "$name" "$pid" "$log" _emu_ready_auth "$hostport" || return 1
			export FIREBASE_AUTH_EMULATOR_HOST="$hostport"
			;;
		esac
		_emu_ready[$name]="${pid} ${hostport}"
		us=$((${EPOCHREALTIME/./} - _emu_t0))
		printf 'emulators: %s ready on %s, %d.%01ds after launch (log %s)\n' \
			"$name" "$hostport" $((us / 1000000)) $((us % 1000000 / 100000)) "$log" >&2
	done
	_emu_pending=()
	_emu_t0=""
}

# emulators_start NAME... starts the named emulators (firestore, pubsub,
# tasks, auth) side by side, waits until each is ready and exports its host
# variable.
emulators_start() {
	emulators_launch "$@" || return 1
	emulators_wait
}

# emulators_kill NAME kills one ready emulator at once (SIGKILL to its
# process group, as a crash would), and waits until its port is free.
emulators_kill() {
	local name=$1 pgid hostport
	[[ -n "${_emu_ready[$name]:-}" ]] || { echo "emulators: ${name} is not running" >&2; return 1; }
	read -r pgid hostport <<<"${_emu_ready[$name]}"
	kill -KILL -- "-${pgid}" 2>/dev/null || true
	wait "$pgid" 2>/dev/null || true
	local -a left=()
	local p
	for p in "${_emu_pgids[@]}"; do
		[[ "$p" == "$pgid" ]] || left+=("$p")
	done
	_emu_pgids=("${left[@]}")
	local i
	for ((i = 0; i < 100; i++)); do
		(exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null || return 0
		sleep 0.1
	done
	echo "emulators: ${name} still answers on ${hostport} after SIGKILL" >&2
	return 1
}

# emulators_restart NAME starts an emulator emulators_kill ended again on
# the same port, and waits until it is ready. It starts empty: the
# Firestore and Pub/Sub emulators and the Cloud Tasks emulator keep
# everything in memory.
emulators_restart() {
	local name=$1 hostport
	[[ -n "${_emu_ready[$name]:-}" ]] || { echo "emulators: ${name} was never started" >&2; return 1; }
	read -r _ hostport <<<"${_emu_ready[$name]}"
	_emu_want_port=${hostport##*:}
	emulators_launch "$name" || { _emu_want_port=""; return 1; }
	_emu_want_port=""
	emulators_wait
}

# emulators_stop ends every emulator this shell started: TERM to the whole
# process group, then KILL to whatever is left after a grace period. Safe to
# call more than once, and as an EXIT trap (it keeps the caller's status).
emulators_stop() {
	local rc=$? pgid deadline
	for pgid in "${_emu_pgids[@]}"; do
		kill -TERM -- "-${pgid}" 2>/dev/null || true
	done
	deadline=$((SECONDS + 10))
	for pgid in "${_emu_pgids[@]}"; do
		while kill -0 -- "-${pgid}" 2>/dev/null && ((SECONDS < deadline)); do
			sleep 0.1
		done
		kill -KILL -- "-${pgid}" 2>/dev/null || true
	done
	# Reap our direct children so no zombie outlives the caller's shell.
	for pgid in "${_emu_pgids[@]}"; do
		wait "$pgid" 2>/dev/null || true
	done
	_emu_pgids=()
	_emu_pending=()
	_emu_t0=""
	_emu_ready=()
	if [[ -n "$_emu_dir" ]]; then
		if ((rc != 0)) || [[ -n "${SMSDESK_KEEP_EMULATOR_LOGS:-}" ]]; then
			echo "emulators: logs kept in ${_emu_dir}" >&2
		else
			rm -rf -- "$_emu_dir"
		fi
		_emu_dir=""
	fi
	unset FIRESTORE_EMULATOR_HOST PUBSUB_EMULATOR_HOST CLOUD_TASKS_EMULATOR_HOST FIREBASE_AUTH_EMULATOR_HOST
	return "$rc"
}
