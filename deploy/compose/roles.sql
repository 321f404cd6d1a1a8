-- One database role per service, owning only its schemas (`<context>` for events,
-- `<context>_read` for read models, `<context>_read__rebuild` for online rebuilds, all
-- behind CONCIERGE_NAMESPACE); no right to
-- create schemas or reach another service's. The gateway gets no role. Idempotent:
-- run on every `compose up` (db-init). psql variables: roles ('name=password,...'),
-- namespace (schema prefix, may be empty).
CREATE TEMP TABLE service_role AS
    SELECT split_part(item, '=', 1) AS name, substr(item, strpos(item, '=') + 1) AS password
      FROM unnest(string_to_array(:'roles', ',')) AS item;

SELECT format('CREATE ROLE %I', name) FROM service_role
 WHERE name NOT IN (SELECT rolname FROM pg_roles) \gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L',
              name, password) FROM service_role \gexec

-- Only the service roles (and the admin) connect; nobody creates schemas in public.
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database()) \gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), name)
  FROM service_role \gexec
REVOKE ALL ON SCHEMA public FROM PUBLIC;

SELECT format('CREATE SCHEMA IF NOT EXISTS %I AUTHORIZATION %I', :'namespace' || name || suffix, name)
  FROM service_role, (VALUES (''), ('_read'), ('_read__rebuild')) AS schema(suffix) \gexec
SELECT format('ALTER SCHEMA %I OWNER TO %I', :'namespace' || name || suffix, name)
  FROM service_role, (VALUES (''), ('_read'), ('_read__rebuild')) AS schema(suffix) \gexec
