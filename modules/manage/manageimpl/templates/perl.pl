#!/usr/bin/perl
use strict;
use warnings;
use POSIX qw(strftime);

# job_start, job_success and job_fail print a line the task log and the
# result groups show, with the time and the process id.
#   job_start();              at the start
#   job_success("message");   prints job_success:[message] and exits 0
#   job_fail("message");      prints job_fail:[message] and exits 1
# Without them, the script's exit status decides.

$| = 1;

sub job_now { return "[" . strftime("%Y-%m-%d %H:%M:%S", localtime) . "][PID:$$]"; }

sub job_start { print job_now() . " job_start\n"; }

sub job_success {
    my $msg = shift // "";
    print job_now() . " job_success:[$msg]\n";
    exit 0;
}

sub job_fail {
    my $msg = shift // "";
    print job_now() . " job_fail:[$msg]\n";
    exit 1;
}

job_start();

# Your code here.

job_success("done");
