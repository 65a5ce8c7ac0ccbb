# job_start, job_success and job_fail print a line the task log and the
# result groups show, with the time and the process id.
#   job_start               at the start
#   job_success "message"   prints job_success:[message] and exits 0
#   job_fail "message"      prints job_fail:[message] and exits 1
# Without them, the script's exit status decides.

function job_now { "[{0}][PID:{1}]" -f (Get-Date -Format 'yyyy-MM-dd HH:mm:ss'), $PID }

function job_start { Write-Output "$(job_now) job_start" }

function job_success([string]$msg = "") {
    Write-Output "$(job_now) job_success:[$msg]"
    exit 0
}

function job_fail([string]$msg = "") {
    Write-Output "$(job_now) job_fail:[$msg]"
    exit 1
}

job_start

# Your commands here.

job_success "done"
