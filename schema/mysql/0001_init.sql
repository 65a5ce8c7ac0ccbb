-- migrations bookkeeping is created by platform/db itself; this file reserves 0001.
SELECT 1;
