"""moto_server for the tests, `make run` and `make bench`, with two fixes to moto 5.2.1's cost per request.

Run by the Python that has moto (the interpreter of the `moto_server` script), with moto_server's arguments.
Neither fix changes what moto answers:

1. TransactWriteItems: moto backs a transaction up by deep-copying every table it touches, once per item in the
   transaction, so each transaction costs time in proportion to everything stored (quadratic over a bulk load, and a
   10,000-candidate tenant never finishes). Here the table copy is skipped and the transaction keeps a copy of the
   items it touches instead; a cancelled transaction puts exactly those back, as before.
2. Query on a table's own key: moto sorts every item of the table and then keeps the queried partition's, so
   each query costs time in proportion to the table. Here it is handed that partition's items only (indexes are
   left as moto has them).
3. Routing: moto lists its own package directory (a directory read and ~200 stat calls) on every request to find
   which service a host is; the listing cannot change while the server runs, so it is read once.

Where moto is not the version these fixes were written against, it runs as it is, with a warning.
"""
import copy
import sys

PATCHED_MOTO_VERSION = "5.2.1"


def patch_transactions():
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    class TableCopySkipped:
        """Stands in for the `copy` module inside moto.dynamodb.models: a Table is not copied, anything else is."""

        @staticmethod
        def deepcopy(value, memo=None):
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    def touched_items(backend, transact_items):
        """(table, hash key, range key, copy of the item or None) for every item the transaction names."""
        before = []
        for entry in transact_items:
            op_type, op = next(iter(entry.items()))
            table = backend.tables.get(op.get("TableName"))
            attributes = op.get("Item" if op_type == "Put" else "Key") or {}
            if table is None or table.hash_key_attr not in attributes:
                continue
            if table.range_key_attr is not None and table.range_key_attr not in attributes:
                continue
            hash_key = DynamoType(attributes[table.hash_key_attr])
            range_key = DynamoType(attributes[table.range_key_attr]) if table.range_key_attr else None
            before.append((table, hash_key, range_key, copy.deepcopy(table.get_item(hash_key, range_key))))
        return before

    def restore(before):
        for table, hash_key, range_key, item in reversed(before):
            if item is None:
                table.delete_item(hash_key, range_key)
            elif range_key is None:
                table.items[hash_key] = item
            else:
                table.items[hash_key][range_key] = item

    moto_transact = models.DynamoDBBackend.transact_write_items

    def transact_write_items(self, transact_items):
        before = touched_items(self, transact_items)
        try:
            return moto_transact(self, transact_items)
        except Exception:
            restore(before)
            raise

    models.copy = TableCopySkipped()
    models.DynamoDBBackend.transact_write_items = transact_write_items


def patch_partition_queries():
    from moto.dynamodb.models.table import Table

    moto_query = Table.query

    def query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
              projection_expressions, index_name=None, *more, **options):
        table = self
        if index_name is None and hash_key is not None and self.range_key_attr is not None:
            # a shallow copy whose item listing is the partition: moto's query filters and sorts it as before
            table = copy.copy(self)
            partition = list(self.items.get(hash_key, {}).values())
            table.all_items = lambda: partition
        return moto_query(table, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
                          projection_expressions, index_name, *more, **options)

    Table.query = query


def patch_module_listing():
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules


def main():
    import moto
    from moto.server import main as moto_main

    if moto.__version__ == PATCHED_MOTO_VERSION:
        patch_transactions()
        patch_partition_queries()
        patch_module_listing()
    else:
        print(f"moto {moto.__version__} runs unpatched (fixes written for {PATCHED_MOTO_VERSION}): "
              "transactions get slower as tables grow", file=sys.stderr, flush=True)
    sys.argv[0] = "moto_server"
    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
