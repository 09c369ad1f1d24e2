/* zh-grid-fake-model.c: a made-up class journal page behind the ZhGridModel interface. */
#define G_LOG_DOMAIN "zh-grid-fake"

#include "config.h"

#include <string.h>

#include "zh-grid-fake-model.h"

typedef struct
{
  const char *name;       /* interned */
  guint       arrived_at; /* first lesson the student is in the class */
  guint       left_at;    /* first lesson after leaving; n_lessons if still there */
  char       *summary[ZH_GRID_FAKE_N_SUMMARY];
} Student;

typedef struct
{
  char *band;
  char *title;
  char *label;
  char  marker[8];
} Lesson;

struct _ZhGridFakeModel
{
  GObject      parent_instance;

  GRand       *rand;
  GArray      *students; /* of Student */
  Lesson      *lessons;
  guint        n_lessons;
  GPtrArray   *cells;    /* per student: const char ** of interned texts */
  GPtrArray   *flags;    /* per student: guint8 * */
};

static void zh_grid_fake_model_iface_init (ZhGridModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ZhGridFakeModel, zh_grid_fake_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (ZH_TYPE_GRID_MODEL,
                                                      zh_grid_fake_model_iface_init))

static const char *const surnames[][2] = {
  { "Иванов", "Иванова" }, { "Смирнов", "Смирнова" }, { "Кузнецов", "Кузнецова" },
  { "Попов", "Попова" }, { "Васильев", "Васильева" }, { "Петров", "Петрова" },
  { "Соколов", "Соколова" }, { "Михайлов", "Михайлова" }, { "Новиков", "Новикова" },
  { "Фёдоров", "Фёдорова" }, { "Морозов", "Морозова" }, { "Волков", "Волкова" },
  { "Алексеев", "Алексеева" }, { "Лебедев", "Лебедева" }, { "Семёнов", "Семёнова" },
  { "Егоров", "Егорова" }, { "Павлов", "Павлова" }, { "Козлов", "Козлова" },
  { "Степанов", "Степанова" }, { "Николаев", "Николаева" }, { "Орлов", "Орлова" },
  { "Андреев", "Андреева" }, { "Макаров", "Макарова" }, { "Никитин", "Никитина" },
  { "Захаров", "Захарова" }, { "Зайцев", "Зайцева" }, { "Соловьёв", "Соловьёва" },
  { "Борисов", "Борисова" }, { "Яковлев", "Яковлева" }, { "Григорьев", "Григорьева" },
  { "Романов", "Романова" }, { "Воробьёв", "Воробьёва" }, { "Сергеев", "Сергеева" },
  { "Кузьмин", "Кузьмина" }, { "Фролов", "Фролова" }, { "Александров", "Александрова" },
  { "Дмитриев", "Дмитриева" }, { "Королёв", "Королёва" }, { "Гусев", "Гусева" },
  { "Константинопольский", "Константинопольская" },
};
static const char *const boys[] = {
  "Александр", "Михаил", "Максим", "Артём", "Иван", "Даниил", "Дмитрий", "Кирилл", "Андрей",
  "Егор", "Никита", "Илья", "Алексей", "Матвей", "Тимофей",
};
static const char *const girls[] = {
  "Анна", "София", "Мария", "Анастасия", "Дарья", "Виктория", "Полина", "Елизавета",
  "Екатерина", "Ксения", "Варвара", "Александра", "Алиса", "Вероника", "Ульяна",
};
static const char *const months[] = {
  "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
  "октябрь", "ноябрь", "декабрь",
};

static const char *
random_cell (GRand *rand)
{
  static const char *const marks[] = { "2", "3", "3", "4", "4", "4", "4", "5", "5", "5" };
  static const char *const doubles[] = { "4/5", "5/5", "3/4", "5/4", "4/4", "3/3", "2/3" };
  double r = g_rand_double (rand);

  if (r < 0.70)
    return NULL;
  if (r < 0.73)
    return "н";
  if (r < 0.74)
    return "б";
  if (r < 0.77)
    return doubles[g_rand_int_range (rand, 0, G_N_ELEMENTS (doubles))];
  return marks[g_rand_int_range (rand, 0, G_N_ELEMENTS (marks))];
}

static gboolean
is_test (guint lesson)
{
  return lesson % 10 == 7;
}

/* Count, weighted average (a test weighs 2), suggested and period mark of one student. */
static void
compute_summary (ZhGridFakeModel *self,
                 guint            student)
{
  Student *s = &g_array_index (self->students, Student, student);
  const char **cells = g_ptr_array_index (self->cells, student);
  double sum = 0, weights = 0;
  guint count = 0;

  for (guint l = 0; l < self->n_lessons; l++)
    {
      const char *t = cells[l];
      int weight = is_test (l) ? 2 : 1;

      for (; t != NULL && *t != '\0'; t++)
        if (*t >= '1' && *t <= '5')
          {
            sum += (*t - '0') * weight;
            weights += weight;
            count++;
          }
    }
  for (guint i = 0; i < ZH_GRID_FAKE_N_SUMMARY; i++)
    g_clear_pointer (&s->summary[i], g_free);
  s->summary[0] = count > 0 ? g_strdup_printf ("%u", count) : g_strdup ("");
  if (weights > 0)
    {
      double average = sum / weights;
      int suggested = average >= 4.6 ? 5 : average >= 3.6 ? 4 : average >= 2.6 ? 3 : 2;
      char *dot;

      s->summary[1] = g_strdup_printf ("%.2f", average);
      /* Russian decimal comma, whatever the C locale says. */
      if ((dot = strchr (s->summary[1], '.')) != NULL)
        *dot = ',';
      s->summary[2] = g_strdup_printf ("%d", suggested);
      s->summary[3] = student % 3 == 0 ? g_strdup_printf ("%d", suggested) : g_strdup ("");
    }
  else
    {
      s->summary[1] = g_strdup ("");
      s->summary[2] = g_strdup ("");
      s->summary[3] = g_strdup ("");
    }
}

static void
add_student (ZhGridFakeModel *self)
{
  guint index = self->students->len;
  gboolean girl = g_rand_boolean (self->rand);
  Student s = { 0 };
  const char **cells = g_new0 (const char *, self->n_lessons);
  guint8 *flags = g_new0 (guint8, self->n_lessons);
  g_autofree char *name = NULL;

  name = g_strdup_printf ("%s %s",
                          surnames[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (surnames))][girl],
                          girl ? girls[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (girls))]
                               : boys[g_rand_int_range (self->rand, 0, G_N_ELEMENTS (boys))]);
  s.name = g_intern_string (name);
  s.left_at = self->n_lessons;
  /* The eighth student came in late; the twentieth left. */
  if (index == 7)
    s.arrived_at = MIN (self->n_lessons, 12);
  if (index == 19)
    s.left_at = self->n_lessons * 3 / 4;

  for (guint l = 0; l < self->n_lessons; l++)
    {
      if (l < s.arrived_at || l >= s.left_at)
        {
          flags[l] = ZH_GRID_CELL_DISABLED;
          continue;
        }
      cells[l] = random_cell (self->rand);
      if (cells[l] != NULL)
        flags[l] = g_rand_int_range (self->rand, 0, 25) == 0 ? ZH_GRID_CELL_WAITING
                                                            : ZH_GRID_CELL_SYNCED;
    }
  g_array_append_val (self->students, s);
  g_ptr_array_add (self->cells, cells);
  g_ptr_array_add (self->flags, flags);
  compute_summary (self, index);
}

static guint
fake_get_n_rows (ZhGridModel *model)
{
  return ZH_GRID_FAKE_MODEL (model)->students->len;
}

static guint
fake_get_n_columns (ZhGridModel *model)
{
  return ZH_GRID_FAKE_MODEL (model)->n_lessons + ZH_GRID_FAKE_N_SUMMARY;
}

static const char *
fake_get_row_header_title (ZhGridModel *model)
{
  return "Ученик";
}

static void
fake_get_row (ZhGridModel *model,
              guint        row,
              ZhGridRow   *out)
{
  ZhGridFakeModel *self = ZH_GRID_FAKE_MODEL (model);
  Student *s = &g_array_index (self->students, Student, row);

  out->title = s->name;
  out->number = row + 1;
  out->dimmed = s->left_at < self->n_lessons;
}

static void
fake_get_column (ZhGridModel  *model,
                 guint         column,
                 ZhGridColumn *out)
{
  static const char *const titles[] = { "Отм.", "Ср.", "Расч.", "Четв." };
  static const char *const labels[] = {
    "число отметок", "средний взвешенный балл", "расчётная отметка", "отметка за четверть",
  };
  ZhGridFakeModel *self = ZH_GRID_FAKE_MODEL (model);

  if (column >= self->n_lessons)
    {
      out->kind = ZH_GRID_COLUMN_SUMMARY;
      out->title = titles[column - self->n_lessons];
      out->label = labels[column - self->n_lessons];
      return;
    }
  out->kind = ZH_GRID_COLUMN_ORDINARY;
  out->band = self->lessons[column].band;
  out->title = self->lessons[column].title;
  out->label = self->lessons[column].label;
  out->marker = self->lessons[column].marker[0] != '\0' ? self->lessons[column].marker : NULL;
  out->emphasis = is_test (column);
}

static void
fake_get_cell (ZhGridModel *model,
               guint        row,
               guint        column,
               ZhGridCell  *out)
{
  ZhGridFakeModel *self = ZH_GRID_FAKE_MODEL (model);

  if (column >= self->n_lessons)
    {
      Student *s = &g_array_index (self->students, Student, row);
      guint i = column - self->n_lessons;

      out->text = s->summary[i];
      out->flags = i == ZH_GRID_FAKE_N_SUMMARY - 1 ? ZH_GRID_CELL_EMPHASIS : ZH_GRID_CELL_NORMAL;
      return;
    }
  out->text = ((const char **) g_ptr_array_index (self->cells, row))[column];
  out->flags = ((guint8 *) g_ptr_array_index (self->flags, row))[column];
}

static char *
fake_get_cell_tooltip (ZhGridModel *model,
                       guint        row,
                       guint        column)
{
  ZhGridFakeModel *self = ZH_GRID_FAKE_MODEL (model);
  const char *text;

  if (column >= self->n_lessons)
    return NULL;
  text = ((const char **) g_ptr_array_index (self->cells, row))[column];
  if (text == NULL)
    return NULL;
  if (g_str_equal (text, "н"))
    return g_strdup ("отсутствовал");
  if (g_str_equal (text, "б"))
    return g_strdup ("болел");
  return g_strdup (is_test (column) ? "контрольная работа" : "ответ на уроке");
}

static void
zh_grid_fake_model_iface_init (ZhGridModelInterface *iface)
{
  iface->get_n_rows = fake_get_n_rows;
  iface->get_n_columns = fake_get_n_columns;
  iface->get_row_header_title = fake_get_row_header_title;
  iface->get_row = fake_get_row;
  iface->get_column = fake_get_column;
  iface->get_cell = fake_get_cell;
  iface->get_cell_tooltip = fake_get_cell_tooltip;
}

static void
zh_grid_fake_model_finalize (GObject *object)
{
  ZhGridFakeModel *self = ZH_GRID_FAKE_MODEL (object);

  for (guint i = 0; i < self->students->len; i++)
    for (guint j = 0; j < ZH_GRID_FAKE_N_SUMMARY; j++)
      g_free (g_array_index (self->students, Student, i).summary[j]);
  g_array_unref (self->students);
  for (guint l = 0; l < self->n_lessons; l++)
    {
      g_free (self->lessons[l].band);
      g_free (self->lessons[l].title);
      g_free (self->lessons[l].label);
    }
  g_free (self->lessons);
  g_ptr_array_unref (self->cells);
  g_ptr_array_unref (self->flags);
  g_rand_free (self->rand);

  G_OBJECT_CLASS (zh_grid_fake_model_parent_class)->finalize (object);
}

static void
zh_grid_fake_model_class_init (ZhGridFakeModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = zh_grid_fake_model_finalize;
}

static void
zh_grid_fake_model_init (ZhGridFakeModel *self)
{
  self->students = g_array_new (FALSE, TRUE, sizeof (Student));
  self->cells = g_ptr_array_new_with_free_func (g_free);
  self->flags = g_ptr_array_new_with_free_func (g_free);
}

/* zh_grid_fake_model_new: a page of @n_students × @n_lessons, the same for the same @seed. */
ZhGridFakeModel *
zh_grid_fake_model_new (guint   n_students,
                        guint   n_lessons,
                        guint32 seed)
{
  ZhGridFakeModel *self = g_object_new (ZH_TYPE_GRID_FAKE_MODEL, NULL);
  g_autoptr(GDate) date = g_date_new_dmy (1, G_DATE_SEPTEMBER, 2025);

  self->rand = g_rand_new_with_seed (seed);
  self->n_lessons = n_lessons;
  self->lessons = g_new0 (Lesson, n_lessons);
  for (guint l = 0; l < n_lessons; l++)
    {
      while (g_date_get_weekday (date) >= G_DATE_SATURDAY)
        g_date_add_days (date, 1);
      self->lessons[l].band = g_strdup (months[g_date_get_month (date) - 1]);
      self->lessons[l].title = g_strdup_printf ("%u", g_date_get_day (date));
      self->lessons[l].label = g_strdup_printf ("%02u.%02u", g_date_get_day (date),
                                                (guint) g_date_get_month (date));
      if (is_test (l))
        g_strlcpy (self->lessons[l].marker, "К", sizeof self->lessons[l].marker);
      else if (l % 17 == 11)
        g_strlcpy (self->lessons[l].marker, "Л", sizeof self->lessons[l].marker);
      g_date_add_days (date, 1);
    }
  for (guint s = 0; s < n_students; s++)
    add_student (self);

  /* One refused change and one conflict, where a test can see them. */
  if (n_students > 2 && n_lessons > 3)
    {
      const char **cells0 = g_ptr_array_index (self->cells, 1);
      guint8 *flags0 = g_ptr_array_index (self->flags, 1);
      const char **cells1 = g_ptr_array_index (self->cells, 2);
      guint8 *flags1 = g_ptr_array_index (self->flags, 2);

      cells0[2] = "3";
      flags0[2] = ZH_GRID_CELL_REJECTED;
      cells1[3] = "4";
      flags1[3] = ZH_GRID_CELL_CONFLICT;
      compute_summary (self, 1);
      compute_summary (self, 2);
    }
  return self;
}

/* zh_grid_fake_model_get_n_lessons: the number of ordinary columns. */
guint
zh_grid_fake_model_get_n_lessons (ZhGridFakeModel *self)
{
  return self->n_lessons;
}

/* zh_grid_fake_model_set_cell: sets a lesson cell, updates the student's summary, notifies. */
void
zh_grid_fake_model_set_cell (ZhGridFakeModel *self,
                             guint            student,
                             guint            lesson,
                             const char      *text,
                             ZhGridCellFlags  flags)
{
  g_return_if_fail (student < self->students->len && lesson < self->n_lessons);

  ((const char **) g_ptr_array_index (self->cells, student))[lesson] = g_intern_string (text);
  ((guint8 *) g_ptr_array_index (self->flags, student))[lesson] = flags;
  compute_summary (self, student);
  zh_grid_model_cells_changed (ZH_GRID_MODEL (self), student, lesson, 1, 1);
  zh_grid_model_cells_changed (ZH_GRID_MODEL (self), student, self->n_lessons,
                               1, ZH_GRID_FAKE_N_SUMMARY);
}

/* zh_grid_fake_model_add_students: appends students, notifies a structure change. */
void
zh_grid_fake_model_add_students (ZhGridFakeModel *self,
                                 guint            n_students)
{
  for (guint i = 0; i < n_students; i++)
    add_student (self);
  zh_grid_model_structure_changed (ZH_GRID_MODEL (self));
}
