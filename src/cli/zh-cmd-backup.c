/* zh-cmd-backup.c: `zhurnalctl backup FILE` — a consistent copy of the offline copy, made with
 * SQLite's online backup while the copy may be in use (REQUIREMENTS.md §9). */
#define G_LOG_DOMAIN "zhurnalctl"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "zh-cli.h"
#include "zh-cmds.h"

/* Pages copied per step: the copy's readers and writers get the database between steps. */
#define PAGES_PER_STEP 1024

static gboolean
backup_to (ZhOffline   *offline,
           const char  *file,
           GError     **error)
{
  sqlite3 *source = zh_store_get_db (zh_offline_get_store (offline));
  sqlite3 *target = NULL;
  sqlite3_backup *backup;
  int fd;
  int rc;

  /* Made here, empty, 0600 and only if absent (O_EXCL): the backup holds children's personal
   * data, and an existing file — perhaps another journal — is never overwritten. */
  fd = g_open (file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                   saved_errno == EEXIST ? _("“%s” exists already; give a new file.")
                                         : _("Cannot make the file “%s”: %s"),
                   file, g_strerror (saved_errno));
      return FALSE;
    }
  close (fd);

  rc = sqlite3_open_v2 (file, &target, SQLITE_OPEN_READWRITE, NULL);
  if (rc == SQLITE_OK)
    {
      backup = sqlite3_backup_init (target, "main", source, "main");
      if (backup == NULL)
        rc = sqlite3_errcode (target);
      else
        {
          do
            {
              rc = sqlite3_backup_step (backup, PAGES_PER_STEP);
              if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
                sqlite3_sleep (50);
            }
          while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
          sqlite3_backup_finish (backup);
          if (rc == SQLITE_DONE)
            rc = sqlite3_errcode (target);
        }
    }
  if (rc != SQLITE_OK)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, _("Cannot write the backup “%s”: %s"),
                   file, target != NULL ? sqlite3_errmsg (target) : sqlite3_errstr (rc));
      sqlite3_close (target);
      g_unlink (file);
      return FALSE;
    }
  /* The copy is a WAL database; the backup is one file that can be carried away, so it goes back
   * to a rollback journal. */
  sqlite3_exec (target, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
  sqlite3_close (target);
  return TRUE;
}

/* zh_cmd_backup: `zhurnalctl backup [--server URL] [--user LOGIN] FILE`. */
int
zh_cmd_backup (int    argc,
               char **argv)
{
  g_auto(ZhCliAccountOptions) options = { 0 };
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE"));
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhAccount) account = NULL;
  g_autoptr(ZhOffline) offline = NULL;
  g_autoptr(ZhStore) check = NULL;
  GStatBuf st;

  g_option_context_set_summary (context, _("Copy the offline copy, with the changes not yet sent, "
                                           "into a new file (readable by you only), while it may "
                                           "be in use."));
  zh_cli_add_account_options (context, &options);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_set_prgname ("zhurnalctl backup");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      zh_cli_print_usage_error ("backup", error->message);
      return ZH_CLI_USAGE;
    }
  if (argc != 2)
    {
      zh_cli_print_usage_error ("backup", _("Give one new file to write the backup to."));
      return ZH_CLI_USAGE;
    }

  account = zh_cli_get_account (&options, &error);
  if (account == NULL)
    {
      zh_cli_print_error ("backup", error);
      return ZH_CLI_FAILURE;
    }
  if (g_stat (zh_account_get_offline_path (account), &st) != 0)
    {
      fprintf (stderr, _("zhurnalctl backup: %s at %s has no offline copy on this computer yet.\n"),
               zh_account_get_login (account), zh_account_get_server_url (account));
      return ZH_CLI_FAILURE;
    }
  offline = zh_account_open_offline (account, &error);
  if (offline == NULL || !backup_to (offline, argv[1], &error))
    {
      zh_cli_print_error ("backup", error);
      return ZH_CLI_FAILURE;
    }
  /* A backup that cannot be opened is no backup: check it before saying it is done. */
  check = zh_store_open (argv[1], ZH_STORE_FLAGS_READ_ONLY, &error);
  if (check == NULL)
    {
      zh_cli_print_error ("backup", error);
      return ZH_CLI_FAILURE;
    }
  printf (_("The offline copy is saved to %s.\n"), argv[1]);
  return ZH_CLI_OK;
}
