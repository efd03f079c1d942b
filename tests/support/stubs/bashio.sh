#!/usr/bin/env bash
# A small bashio: the functions the add-on's scripts call, with bashio 0.17's behaviour (log levels compared as
# numbers, LOG_LEVEL read from the environment, Supervisor calls through curl with the same envelope checks).

readonly __BASHIO_EXIT_OK=0
readonly __BASHIO_EXIT_NOK=1
readonly __BASHIO_LOG_LEVEL_FATAL=1
readonly __BASHIO_LOG_LEVEL_ERROR=2
readonly __BASHIO_LOG_LEVEL_WARNING=3
readonly __BASHIO_LOG_LEVEL_NOTICE=4
readonly __BASHIO_LOG_LEVEL_INFO=5
readonly __BASHIO_LOG_LEVEL_DEBUG=6
readonly __BASHIO_LOG_LEVEL_TRACE=7
readonly -A __BASHIO_LOG_LEVELS=([1]="FATAL" [2]="ERROR" [3]="WARNING" [4]="NOTICE" [5]="INFO" [6]="DEBUG" [7]="TRACE")

declare __BASHIO_SUPERVISOR_API=${SUPERVISOR_API:-http://supervisor}
declare __BASHIO_SUPERVISOR_TOKEN=${SUPERVISOR_TOKEN:-}
declare __BASHIO_LOG_LEVEL=${LOG_LEVEL:-5}

function bashio::string.lower() {
    printf "%s" "${1,,}"
}

function bashio::var.has_value() {
    [[ -n "${1}" ]]
}

function bashio::log.log() {
    local level=${1}
    local message=${2}
    if [[ "${level}" -gt "${__BASHIO_LOG_LEVEL}" ]]; then
        return "${__BASHIO_EXIT_OK}"
    fi
    echo "[$(date +%T)] ${__BASHIO_LOG_LEVELS[$level]}: ${message}" >&2
}

function bashio::log.trace() { bashio::log.log "${__BASHIO_LOG_LEVEL_TRACE}" "$*"; }
function bashio::log.debug() { bashio::log.log "${__BASHIO_LOG_LEVEL_DEBUG}" "$*"; }
function bashio::log.info() { bashio::log.log "${__BASHIO_LOG_LEVEL_INFO}" "$*"; }
function bashio::log.notice() { bashio::log.log "${__BASHIO_LOG_LEVEL_NOTICE}" "$*"; }
function bashio::log.warning() { bashio::log.log "${__BASHIO_LOG_LEVEL_WARNING}" "$*"; }
function bashio::log.error() { bashio::log.log "${__BASHIO_LOG_LEVEL_ERROR}" "$*"; }
function bashio::log.fatal() { bashio::log.log "${__BASHIO_LOG_LEVEL_FATAL}" "$*"; }

function bashio::exit.nok() {
    local message=${1:-}
    if bashio::var.has_value "${message}"; then
        bashio::log.fatal "${message}"
    fi
    exit "${__BASHIO_EXIT_NOK}"
}

function bashio::log.level() {
    local log_level=${1}
    case "$(bashio::string.lower "${log_level}")" in
        trace) log_level="${__BASHIO_LOG_LEVEL_TRACE}" ;;
        debug) log_level="${__BASHIO_LOG_LEVEL_DEBUG}" ;;
        info) log_level="${__BASHIO_LOG_LEVEL_INFO}" ;;
        notice) log_level="${__BASHIO_LOG_LEVEL_NOTICE}" ;;
        warning) log_level="${__BASHIO_LOG_LEVEL_WARNING}" ;;
        error) log_level="${__BASHIO_LOG_LEVEL_ERROR}" ;;
        fatal | critical) log_level="${__BASHIO_LOG_LEVEL_FATAL}" ;;
        *) bashio::exit.nok "Unknown log_level: ${log_level}" ;;
    esac
    export __BASHIO_LOG_LEVEL="${log_level}"
}

function bashio::jq() {
    local data=${1}
    local filter=${2}
    printf "%s" "${data}" | jq --raw-output -c -M "${filter}"
}

function bashio::api.supervisor() {
    local method=${1}
    local resource=${2}
    local response
    local status

    if ! response=$(curl --silent --show-error --write-out '\n%{http_code}' --request "${method}" \
        -H "Authorization: Bearer ${__BASHIO_SUPERVISOR_TOKEN}" -H "Content-Type: application/json" \
        "${__BASHIO_SUPERVISOR_API}${resource}"); then
        bashio::log.error "Something went wrong contacting the API"
        return "${__BASHIO_EXIT_NOK}"
    fi
    status=${response##*$'\n'}
    response=${response%"${status}"}

    if [[ "${status}" -eq 401 ]]; then
        bashio::log.error "Unable to authenticate with the API, permission denied"
        return "${__BASHIO_EXIT_NOK}"
    fi
    if [[ "${status}" -eq 404 ]]; then
        bashio::log.error "Requested resource ${resource} was not found"
        return "${__BASHIO_EXIT_NOK}"
    fi
    if [[ $(bashio::jq "${response}" ".result") = "error" ]]; then
        bashio::log.error "Got unexpected response from the API:" "$(bashio::jq "${response}" '.message // empty')"
        return "${__BASHIO_EXIT_NOK}"
    fi
    if [[ "${status}" -ne 200 ]]; then
        bashio::log.error "Unknown HTTP error occured"
        return "${__BASHIO_EXIT_NOK}"
    fi
    bashio::jq "${response}" 'if .data == {} then empty else .data end'
}

function bashio::addons() {
    local slug=${1}
    local filter=${2}
    local info
    info=$(bashio::api.supervisor GET "/addons/${slug}/info")
    bashio::jq "${info}" "${filter}"
}

function bashio::addon.port() {
    local port=${1}
    local slug=${2:-'self'}
    if [[ "${port}" != *"/"* ]]; then
        port="${port}/tcp"
    fi
    bashio::addons "${slug}" ".network[\"${port}\"] // empty"
}

function bashio::addon.ingress_entry() {
    bashio::addons "${1:-self}" '.ingress_entry'
}

function bashio::services() {
    local service=${1}
    local key=${2:-}
    local config
    config=$(bashio::api.supervisor GET "/services/${service}")
    if bashio::var.has_value "${key}"; then
        bashio::jq "${config}" ".${key} // empty"
    else
        printf "%s" "${config}"
    fi
}
