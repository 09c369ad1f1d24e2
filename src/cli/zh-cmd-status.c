/* zh-cmd-status.c: `zhurnalctl status` — the account, the offline copy, and what waits, what was
 * refused (with the service's reasons) and what is in conflict (both versions). Needs no network. */
#define G_LOG_DOMAIN "zhurnalctl"

#include "config.h"

#include <stdio.h>
#include <glib/gi18n.h>

#include "zh-cli.h"
#include "zh-cmds.h"
#include "zh-entity-sql.h"

/* The attendance codes in words, with the letters the paper journal uses. */
static const char *
attendance_words (ZhAttendanceCode code)
{
  switch (code)
    {
    case ZH_ATTENDANCE_ABSENT:
      return _("absent (н)");
    case ZH_ATTENDANCE_ILL:
      return _("absent, ill (б)");
    case ZH_ATTENDANCE_VALID:
      return _("absent for a valid reason (у)");
    case ZH_ATTENDANCE_INVALID:
      return _("absent without a valid reason (п)");
    case ZH_ATTENDANCE_LATE:
      return _("late (оп)");
    default:
      return "?";
    }
}

static char *
format_date (const char *iso)
{
  int y, m, d;

  if (iso == NULL || sscanf (iso, "%d-%d-%d", &y, &m, &d) != 3)
    return g_strdup (iso != NULL ? iso : "?");
  return g_strdup_printf ("%02d.%02d.%04d", d, m, y);
}

/* "Математика (5А), 03.11.2026, lesson 2", from the copy; the id when the copy lacks the lesson. */
static char *
describe_lesson (ZhStore    *store,
                 const char *lesson_id)
{
  g_autoptr(ZhLesson) lesson = zh_store_get_entity (store, &zh_lesson_info, lesson_id, NULL);
  g_autoptr(ZhGroup) group = NULL;
  g_autoptr(ZhSubject) subject = NULL;
  g_autoptr(ZhClass) klass = NULL;
  g_autofree char *date = NULL;

  if (lesson == NULL)
    return g_strdup_printf (_("lesson %s"), lesson_id);
  group = zh_store_get_entity (store, &zh_group_info, lesson->group_id, NULL);
  if (group != NULL)
    {
      subject = zh_store_get_entity (store, &zh_subject_info, group->subject_id, NULL);
      klass = zh_store_get_entity (store, &zh_class_info, group->class_id, NULL);
    }
  date = format_date (lesson->date);
  /* Translators: subject (class grade and letter), date, lesson number. */
  return g_strdup_printf (_("%s (%d%s), %s, lesson %d"),
                          subject != NULL ? subject->name : "?", klass != NULL ? (int) klass->grade : 0,
                          klass != NULL ? klass->letter : "", date, (int) lesson->number);
}

static char *
describe_student (ZhStore    *store,
                  const char *student_id)
{
  g_autoptr(ZhStudent) student = zh_store_get_entity (store, &zh_student_info, student_id, NULL);

  if (student == NULL)
    return g_strdup (student_id);
  return g_strdup_printf ("%s %s", student->last_name, student->first_name);
}

/* One row, in words: what a teacher recognises in the journal. */
static char *
describe_row (ZhStore            *store,
              const ZhEntityInfo *info,
              const char         *json)
{
  gpointer row;
  char *text;

  if (json == NULL)
    return g_strdup (_("(removed)"));
  row = zh_entity_from_string (info, json, -1, NULL);
  if (row == NULL)
    return g_strdup (json);

  if (info == &zh_mark_info)
    {
      ZhMark *mark = row;
      g_autofree char *student = describe_student (store, mark->student_id);
      g_autofree char *lesson = describe_lesson (store, mark->lesson_id);

      /* Translators: mark value, work type, student, lesson. */
      text = g_strdup_printf (_("mark “%s” (%s) of %s, %s"), mark->value, mark->work_type, student,
                              lesson);
    }
  else if (info == &zh_attendance_info)
    {
      ZhAttendance *attendance = row;
      g_autofree char *student = describe_student (store, attendance->student_id);
      g_autofree char *lesson = describe_lesson (store, attendance->lesson_id);

      text = g_strdup_printf ("%s: %s, %s", student, attendance_words (attendance->code), lesson);
    }
  else if (info == &zh_lesson_info)
    {
      ZhLesson *lesson = row;
      g_autofree char *what = describe_lesson (store, lesson->id);

      text = g_strdup_printf (_("%s: topic “%s”, homework “%s”"), what, lesson->topic,
                              lesson->homework);
    }
  else
    text = g_strdup_printf ("%s %s", info->name, ((ZhEntity *) row)->id);
  zh_entity_free (info, row);
  return text;
}

static void
print_entry (ZhStore             *store,
             const ZhOutboxEntry *entry)
{
  g_autofree char *mine = NULL;
  g_autofree char *entered = zh_cli_format_time (entry->entered_at);

  if (entry->action == ZH_OP_ACTION_DELETE)
    {
      g_autofree char *what = entry->server_value != NULL
                              ? describe_row (store, entry->info, entry->server_value)
                              : g_strdup_printf ("%s %s", entry->info->name, entry->entity_id);

      mine = g_strdup_printf (_("removal: %s"), what);
    }
  else
    mine = describe_row (store, entry->info, entry->value);

  printf ("  • %s\n", mine);
  printf (_("    entered %s; change %s\n"), entered, entry->op_id);
  if (entry->state == ZH_OUTBOX_REJECTED)
    printf (_("    reason: %s [%s]\n"), entry->reason_message != NULL ? entry->reason_message : "",
            entry->reason_code != NULL ? entry->reason_code : "");
  else if (entry->state == ZH_OUTBOX_CONFLICT)
    {
      g_autofree char *theirs = describe_row (store, entry->info, entry->server_value);

      printf (_("    on the service meanwhile: %s\n"), theirs);
    }
}

static void
print_entries (ZhOffline *offline,
               GPtrArray *entries)
{
  for (guint i = 0; i < entries->len; i++)
    print_entry (zh_offline_get_store (offline), entries->pdata[i]);
}

/* zh_cmd_status: `zhurnalctl status [--server URL] [--user LOGIN] [--waiting]`. */
int
zh_cmd_status (int    argc,
               char **argv)
{
  g_auto(ZhCliAccountOptions) options = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) token_error = NULL;
  g_autoptr(ZhAccount) account = NULL;
  g_autoptr(ZhOffline) offline = NULL;
  g_autoptr(GPtrArray) waiting = NULL;
  g_autoptr(GPtrArray) rejected = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  gboolean list_waiting = FALSE;
  GOptionEntry entries[] = {
    { "waiting", 'w', 0, G_OPTION_ARG_NONE, &list_waiting,
      N_("List the changes waiting to be sent too"), NULL },
    { NULL }
  };
  char *token;
  ZhTokenStore where = ZH_TOKEN_STORE_NONE;
  gint64 cursor;

  g_option_context_set_summary (context, _("Show the account, the offline copy, the changes waiting "
                                           "to be sent, those the service refused (and why) and "
                                           "those in conflict. Needs no network."));
  zh_cli_add_account_options (context, &options);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!zh_cli_parse (context, "status", &argc, &argv))
    return ZH_CLI_USAGE;

  account = zh_cli_get_account (&options, &error);
  if (account == NULL || (offline = zh_account_open_offline (account, &error)) == NULL)
    {
      zh_cli_print_error ("status", error);
      return ZH_CLI_FAILURE;
    }

  token = zh_account_lookup_token (account, &where, &token_error);
  zh_cli_wipe_free (token);
  printf (_("Account: %s at %s\n"), zh_account_get_login (account),
          zh_account_get_server_url (account));
  switch (where)
    {
    case ZH_TOKEN_STORE_KEYRING:
      printf ("%s\n", _("Signed in; the session token is in the keyring."));
      break;
    case ZH_TOKEN_STORE_FILE:
      printf ("%s\n", _("Signed in; the session token is in a file of the account’s folder (no "
                        "keyring)."));
      break;
    case ZH_TOKEN_STORE_NONE:
    default:
      printf ("%s\n", _("Not signed in."));
      break;
    }
  cursor = zh_offline_get_cursor (offline);
  if (cursor == 0)
    printf (_("Offline copy: %s (never synced)\n"), zh_offline_get_path (offline));
  else
    {
      g_autofree char *cursor_text = g_strdup_printf ("%" G_GINT64_FORMAT, cursor);

      printf (_("Offline copy: %s (up to change %s of the service)\n"), zh_offline_get_path (offline),
              cursor_text);
    }

  waiting = zh_offline_list_outbox (offline, ZH_OUTBOX_PENDING, &error);
  rejected = waiting != NULL ? zh_offline_list_outbox (offline, ZH_OUTBOX_REJECTED, &error) : NULL;
  conflicts = rejected != NULL ? zh_offline_list_outbox (offline, ZH_OUTBOX_CONFLICT, &error) : NULL;
  if (conflicts == NULL)
    {
      zh_cli_print_error ("status", error);
      return ZH_CLI_FAILURE;
    }
  printf (_("Waiting to be sent: %u\n"), waiting->len);
  if (list_waiting)
    print_entries (offline, waiting);
  printf (_("Refused by the service: %u\n"), rejected->len);
  print_entries (offline, rejected);
  printf (_("In conflict with the service: %u\n"), conflicts->len);
  print_entries (offline, conflicts);
  return ZH_CLI_OK;
}
