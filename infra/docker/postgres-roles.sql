-- The platform's roles (docs/operations.md), for the docker-compose PostgreSQL; infra/postgres.sh does the same natively.
CREATE ROLE emi_owner LOGIN CREATEDB PASSWORD 'emi-owner-dev';
CREATE ROLE emi_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'emi-app-dev';
CREATE ROLE emi_admin LOGIN NOSUPERUSER BYPASSRLS PASSWORD 'emi-admin-dev';
CREATE ROLE emi_orleans LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD 'emi-orleans-dev';
GRANT emi_orleans TO emi_owner;
CREATE DATABASE emi OWNER emi_owner;
