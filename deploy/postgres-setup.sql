-- The database and its role, run once by the PostgreSQL superuser:
--   runuser -u postgres -- psql -v role=complaintflow -v database=complaintflow -v password="$DB_PASSWORD" -f deploy/postgres-setup.sql
-- The role owns its database (so `complaintflow init-db` can create tables and upgrade them) and nothing else.
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"role" ENCODING 'UTF8' TEMPLATE template0;
\connect :"database"
-- Trigram indexes for the task list search; a trusted extension, but created here so the app's role needs no
-- extra right (Debian: part of the postgresql package).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
