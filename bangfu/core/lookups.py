"""``field__any=[…]``: membership in a long list, as one array parameter on PostgreSQL.

``field__in`` with thousands of values builds a placeholder per value, which Django
and the driver then parse one by one: for the batches of an import that costs more
than the query. On PostgreSQL ``field = ANY(%s)`` sends the list as one array; other
databases get the plain ``IN``.
"""

from django.db.models import Field, Lookup
from django.db.models.lookups import In


@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        prep = self.lhs.output_field.get_prep_value
        return [prep(value) for value in self.rhs]

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            return In(self.lhs, self.rhs).as_sql(compiler, connection)
        lhs, params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs]
        return f"{lhs} = ANY(%s)", [*params, values]
