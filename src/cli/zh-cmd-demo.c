/* zh-cmd-demo.c: `zhurnalctl demo-school` — write the generated demo school to a new database. */
#define G_LOG_DOMAIN "zhurnalctl"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "zh-cmd-demo.h"
#include "zh-demo.h"
#include "zh-store.h"

/* "1100000" → "1 100 000", as Russian tables group digits. */
static char *
format_count (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  gsize len = strlen (digits);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ' ');
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* Text padded to @width characters (not bytes: the names may be Cyrillic once translated). */
static void
print_padded (const char *text,
              int         width,
              gboolean    right)
{
  int pad = MAX (0, width - (int) g_utf8_strlen (text, -1));

  if (right)
    printf ("%*s%s", pad, "", text);
  else
    printf ("%s%*s", text, pad, "");
}

static void
show_progress (double      fraction,
               const char *stage,
               gpointer    user_data)
{
  fprintf (stderr, "\r%3d %% %s\033[K", (int) (fraction * 100), stage);
  fflush (stderr);
}

static char *
format_date_ru (const char *iso)
{
  int y, m, d;

  if (sscanf (iso, "%d-%d-%d", &y, &m, &d) != 3)
    return g_strdup (iso);
  return g_strdup_printf ("%02d.%02d.%04d", d, m, y);
}

/* zh_cmd_demo_school: `zhurnalctl demo-school --out FILE [--scale N] [--seed S] [--today DATE]`. */
int
zh_cmd_demo_school (int    argc,
                    char **argv)
{
  g_autofree char *out = NULL;
  g_autofree char *today = NULL;
  double scale = 1.0;
  gint64 seed = 1;
  GOptionEntry entries[] = {
    { "out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("The new database file"), N_("FILE") },
    { "scale", 0, 0, G_OPTION_ARG_DOUBLE, &scale,
      N_("Size: 1 is 44 classes and about 1,100 students; 3 is three times that (default 1)"), "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, N_("Seed of the random choices (default 1)"), "S" },
    { "today", 0, 0, G_OPTION_ARG_STRING, &today,
      N_("The date the journal is filled up to (default: today)"), N_("YYYY-MM-DD") },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ZhStore) store = NULL;
  g_autofree char *today_ru = NULL;
  g_autofree char *total = NULL;
  ZhDemoOptions options = { 0 };
  ZhDemoStats stats;
  GStatBuf st;
  gboolean progress;

  g_option_context_set_summary (context, _("Generate the demo school: two academic years of a "
                                           "whole school's journal, into a new database file."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_set_prgname ("zhurnalctl demo-school");
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "zhurnalctl demo-school: %s\n", error->message);
      return 2;
    }
  if (out == NULL)
    {
      fprintf (stderr, "zhurnalctl demo-school: %s\n", _("Give the new database file with --out FILE."));
      return 2;
    }
  if (seed < 0)
    {
      fprintf (stderr, "zhurnalctl demo-school: %s\n", _("The seed must be a number 0 or above."));
      return 2;
    }

  /* Never write into a file that holds something: it may be someone's journal. */
  if (g_stat (out, &st) == 0 && st.st_size > 0)
    {
      fprintf (stderr, _("zhurnalctl demo-school: “%s” already exists and is not empty; "
                         "give a new file.\n"), out);
      return 1;
    }

  store = zh_store_open (out, ZH_STORE_FLAGS_BULK_LOAD, &error);
  if (store == NULL)
    {
      fprintf (stderr, "zhurnalctl demo-school: %s\n", error->message);
      return 1;
    }

  options.scale = scale;
  options.seed = (guint64) seed;
  options.today = today;
  progress = isatty (STDERR_FILENO);
  if (!zh_demo_generate (store, &options, progress ? show_progress : NULL, NULL, &stats, &error))
    {
      if (progress)
        fprintf (stderr, "\r\033[K");
      fprintf (stderr, "zhurnalctl demo-school: %s\n", error->message);
      /* The transaction was rolled back: the file holds only the empty schema we made. */
      g_clear_object (&store);
      g_unlink (out);
      {
        g_autofree char *wal = g_strconcat (out, "-wal", NULL);
        g_autofree char *shm = g_strconcat (out, "-shm", NULL);

        g_unlink (wal);
        g_unlink (shm);
      }
      return 1;
    }
  if (progress)
    fprintf (stderr, "\r\033[K");

  today_ru = format_date_ru (stats.today);
  {
    g_autofree char *scale_text = g_strdup_printf ("%g", scale);
    g_autofree char *seed_text = g_strdup_printf ("%" G_GINT64_FORMAT, seed);

    printf (_("Demo school: %s (scale %s, seed %s, today %s)\n"), out, scale_text, seed_text, today_ru);
  }
  print_padded (_("table"), 16, FALSE);
  print_padded (_("rows"), 12, TRUE);
  printf ("\n");
  for (guint i = 0; i < ZH_DEMO_N_TABLES; i++)
    {
      g_autofree char *n = format_count (stats.rows[i]);

      print_padded (zh_demo_table_name (i), 16, FALSE);
      print_padded (n, 12, TRUE);
      printf ("\n");
    }
  total = format_count (stats.total);
  print_padded (_("total"), 16, FALSE);
  print_padded (total, 12, TRUE);
  printf ("\n");
  {
    g_autofree char *students = format_count (stats.n_students);

    printf (_("Classes: %u, students on the lists today: %s, teachers: %u.\n"),
            stats.n_classes, students, stats.n_teachers);
  }
  printf (_("Made in %.1f s.\n"), stats.seconds);
  return 0;
}
