/* bench-demo: how big and how fast the generated demo school is. Generates each scale given on
 * the command line (default 1 and 3) into a temporary folder with today = 23.11.2026 and prints
 * one line per scale, then last year's (complete) figures, to compare with the targets of a full
 * year at scale 1: ≈50k lessons, ≈350k marks, ≈90k absences. */
#define G_LOG_DOMAIN "bench-demo"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <glib/gstdio.h>

#include "zh-demo.h"
#include "zh-store.h"

#define TODAY "2026-11-23"

enum { T_CLASS = 4, T_STUDENT = 5, T_LESSON = 13, T_MARK = 14, T_ATTENDANCE = 15, T_PERIOD_MARK = 16 };

static void
remove_database (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("zhurnal-bench-demo-XXXXXX", &error);
  g_autoptr(GArray) scales = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) results = g_array_new (FALSE, TRUE, sizeof (ZhDemoStats));

  if (dir == NULL)
    g_error ("%s", error->message);
  for (int i = 1; i < argc; i++)
    {
      double s = g_ascii_strtod (argv[i], NULL);

      g_array_append_val (scales, s);
    }
  if (scales->len == 0)
    {
      double defaults[] = { 1, 3 };

      g_array_append_vals (scales, defaults, 2);
    }

  printf ("%-6s %9s %8s %9s %10s %10s %10s %10s %8s %9s %9s %9s\n", "scale", "students", "classes",
          "lessons", "marks", "attendance", "per.marks", "rows", "seconds", "rows/s", "clashes",
          "peak RSS");
  for (guint i = 0; i < scales->len; i++)
    {
      double scale = g_array_index (scales, double, i);
      g_autofree char *path = g_strdup_printf ("%s/demo-%g.sqlite", dir, scale);
      g_autoptr(ZhStore) store = zh_store_open (path, ZH_STORE_FLAGS_BULK_LOAD, &error);
      ZhDemoOptions options = { scale, 1, TODAY };
      ZhDemoStats stats;
      struct rusage usage;

      if (store == NULL || !zh_demo_generate (store, &options, NULL, NULL, &stats, &error))
        g_error ("scale %g: %s", scale, error->message);
      g_clear_object (&store);
      getrusage (RUSAGE_SELF, &usage);
      printf ("%-6g %9u %8u %9" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT
              " %10" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %8.1f %9.0f %9u %6ld MB\n",
              scale, stats.n_students, stats.n_classes, stats.rows[T_LESSON], stats.rows[T_MARK],
              stats.rows[T_ATTENDANCE], stats.rows[T_PERIOD_MARK], stats.total, stats.seconds,
              stats.total / stats.seconds, stats.timetable_clashes, usage.ru_maxrss / 1024);
      fflush (stdout);
      g_array_append_val (results, stats);
      remove_database (path);
    }

  printf ("\nLast year (%d/%d, complete; peak RSS is the process's so far):\n",
          g_array_index (results, ZhDemoStats, 0).first_year,
          g_array_index (results, ZhDemoStats, 0).first_year + 1);
  printf ("%-6s %9s %10s %10s %9s %10s\n", "scale", "lessons", "marks", "absences", "absent %",
          "per.marks");
  for (guint i = 0; i < results->len; i++)
    {
      ZhDemoStats *s = &g_array_index (results, ZhDemoStats, i);
      ZhDemoYearStats *y = &s->years[0];

      printf ("%-6g %9" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %10" G_GUINT64_FORMAT " %8.1f %%"
              " %10" G_GUINT64_FORMAT "\n", g_array_index (scales, double, i), y->lessons, y->marks,
              y->absences, 100.0 * y->absences / MAX (1, y->student_slots), y->period_marks);
    }
  g_rmdir (dir);
  return EXIT_SUCCESS;
}
