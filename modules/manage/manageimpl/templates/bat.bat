@echo off
REM job_start, job_success and job_fail print a line the task log and the
REM result groups show, with the time.
REM   call :job_start               at the start
REM   call :job_success "message"   prints job_success:[message] and exits 0
REM   call :job_fail "message"      prints job_fail:[message] and exits 1
REM Without them, the exit code of the last command decides.

call :job_start

REM Your commands here.

call :job_success "done"
goto :eof

:job_start
echo [%date% %time%] job_start
goto :eof

:job_success
echo [%date% %time%] job_success:[%~1]
exit 0

:job_fail
echo [%date% %time%] job_fail:[%~1]
exit 1
