-- The statements run on each target host with the database account's
-- command-line client (mysql, sqlplus or db2), one after the other; the
-- first error stops the script and fails the host.

SELECT 1;
