#!/bin/bash

# job_start, job_success and job_fail print a line the task log and the
# result groups show, with the time and the process id.
#   job_start              at the start
#   job_success "message"  prints job_success:[message] and exits 0
#   job_fail "message"     prints job_fail:[message] and exits 1
# Without them, the exit status of the script's last command decides.

_job_now() { echo "[$(date +'%Y-%m-%d %H:%M:%S')][PID:$$]"; }

job_start() {
    echo "$(_job_now) job_start"
}

job_success() {
    echo "$(_job_now) job_success:[$*]"
    exit 0
}

job_fail() {
    echo "$(_job_now) job_fail:[$*]"
    exit 1
}

job_start

# Your commands here.

job_success "done"
