#!/usr/bin/env python3
# -*- coding: utf-8 -*-

# job_start, job_success and job_fail print a line the task log and the
# result groups show, with the time and the process id.
#   job_start()              at the start
#   job_success("message")   prints job_success:[message] and exits 0
#   job_fail("message")      prints job_fail:[message] and exits 1
# Without them, the script's exit status decides.

import datetime
import os
import sys


def _job_now():
    return "[%s][PID:%d]" % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M:%S"), os.getpid())


def job_start():
    print("%s job_start" % _job_now())
    sys.stdout.flush()


def job_success(msg=""):
    print("%s job_success:[%s]" % (_job_now(), msg))
    sys.stdout.flush()
    sys.exit(0)


def job_fail(msg=""):
    print("%s job_fail:[%s]" % (_job_now(), msg))
    sys.stdout.flush()
    sys.exit(1)


if __name__ == "__main__":
    job_start()

    # Your code here.

    job_success("done")
