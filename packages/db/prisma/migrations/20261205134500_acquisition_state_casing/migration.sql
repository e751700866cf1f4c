-- AcquisitionState in one casing: queued/running were lower case next to SUCCESS/FAILED/…
-- Renaming the labels rewrites no row (an enum value is stored by its OID) and the column default follows.
ALTER TYPE "AcquisitionState" RENAME VALUE 'queued' TO 'QUEUED';
ALTER TYPE "AcquisitionState" RENAME VALUE 'running' TO 'RUNNING';
