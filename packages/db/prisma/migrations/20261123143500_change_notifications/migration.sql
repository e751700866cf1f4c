-- Change notifications for in-process caches (ui-api keeps recently read sessions and files).
-- Every UPDATE or DELETE of a row those caches hold sends `table:id` on the `pulse_changes` channel
-- at commit, so each replica forgets its copy at once instead of serving it until a TTL ends.
-- Inserts need no message: caches only hold rows they have read.
CREATE FUNCTION pulse_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pulse_changes', TG_TABLE_NAME || ':' || OLD.id);
  RETURN NULL;
END
$$;

CREATE TRIGGER artifact_files_notify_change AFTER UPDATE OR DELETE ON "artifact_files"
  FOR EACH ROW EXECUTE FUNCTION pulse_notify_change();

CREATE TRIGGER auth_sessions_notify_change AFTER UPDATE OR DELETE ON "auth_sessions"
  FOR EACH ROW EXECUTE FUNCTION pulse_notify_change();

-- A session's cached user carries the role, name and email.
CREATE TRIGGER users_notify_change AFTER UPDATE OR DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION pulse_notify_change();
