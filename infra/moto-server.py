"""moto_server for the tests, `make run` and `make bench`, with fixes to moto 5.2.1's cost per request and to its
transactions under concurrent requests.

Run by the Python that has moto (the interpreter of the `moto_server` script), with moto_server's arguments.
None of the cost fixes changes what moto answers:

1. TransactWriteItems: moto backs a transaction up by deep-copying every table it touches, once per item in the
   transaction, so each transaction costs time in proportion to everything stored (quadratic over a bulk load, and a
   10,000-candidate tenant never finishes). Here the table copy is skipped and the transaction keeps a copy of the
   items it touches instead; a cancelled transaction puts exactly those back, as before.
2. Query: moto sorts every item of the table and then keeps the queried partition's, so each query costs time in
   proportion to the table (a bulk load reads one partition per candidate; a secondary-index page took seconds at
   100,000 items). Here a key query is handed that partition's items only, and an index query the items whose index
   hash key matches, unsorted (moto sorts what it keeps by the index's keys itself, and those keys are unique).
   That sort compares moto's attribute values through Python methods; it is given each item's key values once
   instead, which orders them the same way.
3. UpdateItem whose expression only ADDs numbers to top-level attributes (`ADD #a :x, #b :y`, the search index's
   counts, several in every candidate's index transaction): moto parses the expression, then walks its tree about six
   times to validate it, a few milliseconds each and half of what a candidate's index transaction costs. Here it is
   applied directly, as moto's executor would (a missing attribute or item starts from 0, numbers are added as moto
   adds them, the item's size limit holds); any other shape, and any case moto would refuse (a value that is not a
   number, an attribute that is not a number, a key attribute, a placeholder not given), goes to moto as before.
4. DynamoDB requests skip the Flask app moto builds per service: its routing, request context, CORS headers and
   recorder hooks cost more than a GetItem's own work. They go straight to moto's DynamoDB request handler, which is
   what that app's only route for DynamoDB calls (gzip-encoded bodies still take the usual way).
5. Per request: moto lists its own package directory (a directory read and ~200 stat calls) to find which service
   a host is, and lists every method of the service's response class to find the action's; neither can change while
   the server runs, so each is read once. The access log line per request is not written (errors still are).
6. Answers of the item operations (GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, the batch and transaction
   operations): moto walks each answer against the botocore model of its output, member by member, to write it as
   JSON (a Query answering 5 items: 20 ms of moto CPU with it, 5 without). Their answers are item attributes, keys,
   counts and capacity units, JSON as they stand, so they are written with json.dumps, keeping only the members the
   output shape names, as moto's serializer does; an answer holding a binary attribute value (or anything but JSON's
   own types), an error, and every other operation still go through moto's serializer.

And one fix to what it answers: moto serves requests on threads and applies a transaction's actions one by one,
undoing them on failure by restoring copies. Without a lock, a concurrent write to an item the transaction touched is
lost when the transaction is undone (its copy is put back over it), and other requests see a transaction half done.
DynamoDB's transactions are isolated; here DynamoDB requests are applied one at a time (moto's work runs under
Python's global lock anyway, so little is lost).

Where moto is not the version these fixes were written against, it runs as it is, with a warning.
"""
import copy
import functools
import re
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


def patch_number_adds():
    from moto.dynamodb import models
    from moto.dynamodb.models.dynamo_type import DynamoType

    adds = re.compile(r"\s*ADD\s+(#\w+\s+:\w+(?:\s*,\s*#\w+\s+:\w+)*)\s*")
    moto_update_item = models.DynamoDBBackend.update_item

    def number_adds(table, update_expression, names, values):
        """(attribute name, number to add) for each clause; None where moto should decide."""
        match = adds.fullmatch(update_expression or "")
        if match is None:
            return None
        pairs = []
        for clause in match.group(1).split(","):
            name, value = clause.split()
            if name not in (names or {}) or value not in (values or {}):
                return None
            number = values[value]
            if set(number) != {"N"} or names[name] in table.attribute_keys:
                return None
            pairs.append((names[name], DynamoType(number)))
        return pairs if len({name for name, _ in pairs}) == len(pairs) else None

    def update_item(self, table_name, key, update_expression, expression_attribute_names, expression_attribute_values,
                    attribute_updates=None, expected=None, condition_expression=None, *more, **options):
        table = self.get_table(table_name)
        pairs = None if attribute_updates or expected or condition_expression or table.stream_shard is not None \
            else number_adds(table, update_expression, expression_attribute_names, expression_attribute_values)
        if pairs is not None:
            hash_key, range_key = self.get_keys_value(table, key)
            item = table.get_item(hash_key, range_key)
            if item is not None and any(name in item.attrs and item.attrs[name].type != "N" for name, _ in pairs):
                pairs = None
        if pairs is None:
            return moto_update_item(self, table_name, key, update_expression, expression_attribute_names,
                                    expression_attribute_values, attribute_updates, expected, condition_expression,
                                    *more, **options)
        if item is None:
            table.put_item({name: key[name] for name in table.table_key_attrs})
            item = table.get_item(hash_key, range_key)
        for name, number in pairs:
            current = item.attrs.get(name)
            item.attrs[name] = number if current is None else current + number
        return item

    models.DynamoDBBackend.update_item = update_item


def patch_isolation():
    import threading
    from moto.dynamodb.responses import DynamoHandler

    one_at_a_time = threading.Lock()
    moto_call_action = DynamoHandler.call_action

    def call_action(self):
        with one_at_a_time:
            return moto_call_action(self)

    DynamoHandler.call_action = call_action


def patch_queries():
    from moto.dynamodb.models.table import Table

    moto_query = Table.query

    def equal(value, expected):
        # a string's value is what moto compares (its cast_value), without going through the property
        if expected.type == "S":
            return value.type == "S" and value.value == expected.value
        return value == expected

    def matching(table, conditions):
        """The table's items whose attributes equal every (name, value) of the conditions, in no particular order."""
        found = []
        for partition in table.items.values():
            for item in (partition.values() if table.range_key_attr else (partition,)):
                attrs = item.attrs
                if all((value := attrs.get(name)) is not None and equal(value, expected) for name, expected in conditions):
                    found.append(item)
        return found

    def query(self, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
              projection_expressions, index_name=None, *more, **options):
        table = self
        if index_name is None and hash_key is not None and self.range_key_attr is not None:
            items = list(self.items.get(hash_key, {}).values())
        elif index_name is not None and options.get("hash_key_conditions"):
            items = matching(self, options["hash_key_conditions"])
        else:
            items = None
        if items is not None:
            # a shallow copy whose item listing is what the query can match: moto filters and sorts it as before
            table = copy.copy(self)
            table.all_items = lambda: items
        return moto_query(table, hash_key, range_comparison, range_objs, limit, exclusive_start_key, scan_index_forward,
                          projection_expressions, index_name, *more, **options)

    def sorted_items(self, hash_key_attrs, range_key_attrs, items):
        attrs_to_sort_by = self._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
        items.sort(key=lambda x: tuple(x.attrs[key].cast_value for key in attrs_to_sort_by))
        return items

    Table.query = query
    Table.sorted_items = sorted_items


def patch_dynamodb_dispatch():
    from moto import server
    from moto.dynamodb.responses import DynamoHandler
    from werkzeug.wrappers import Request, Response

    class DynamoDbFirst(server.DomainDispatcherApplication):
        def __call__(self, environ, start_response):
            if not environ.get("HTTP_X_AMZ_TARGET", "").startswith("DynamoDB_20120810.") \
                    or environ.get("HTTP_CONTENT_ENCODING"):
                return super().__call__(environ, start_response)
            request = Request(environ)
            status, headers, body = DynamoHandler.dispatch(request, request.url, dict(request.headers))
            return Response(response=body, status=status, headers=headers)(environ, start_response)

    server.DomainDispatcherApplication = DynamoDbFirst


def patch_item_responses():
    import json
    from moto.core.utils import get_service_model
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoHandler, DynamoResult

    # The item operations' answers: item attributes, keys, counts and capacity units, all of them JSON as they stand.
    item_actions = {"GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem",
                    "BatchWriteItem", "TransactGetItems", "TransactWriteItems"}
    moto_serialized = DynamoHandler.serialized

    def plain(value):
        """Only what JSON writes as moto's serializer would: no binary attribute value (bytes), no timestamps."""
        if isinstance(value, dict):
            return "B" not in value and "BS" not in value and all(plain(v) for v in value.values())
        if isinstance(value, list):
            return all(plain(v) for v in value)
        return value is None or isinstance(value, (str, bool, int, float))

    @functools.lru_cache(maxsize=None)
    def output_members(action):
        return frozenset(get_service_model("dynamodb").operation_model(action).output_shape.members)

    def serialized(self, action_result):
        result = action_result.result
        action = self._get_action()
        if type(action_result) in (ActionResult, DynamoResult) and isinstance(result, dict) and action in item_actions \
                and plain(result):
            # what the output shape does not name (moto keeps a few such keys) is left out, as moto's serializer does
            members = output_members(action)
            headers = {"Content-Type": "application/x-amz-json-1.0"}
            headers.update(self.response_headers)
            return 200, headers, json.dumps({k: v for k, v in result.items() if k in members}, separators=(",", ":"))
        return moto_serialized(self, action_result)

    DynamoHandler.serialized = serialized


def patch_request_overhead():

    import logging
    from moto import backends
    from moto.core import responses, utils

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    method_names = functools.lru_cache(maxsize=None)(utils.method_names_from_class)
    utils.method_names_from_class = method_names
    responses.method_names_from_class = method_names
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def main():
    import moto
    from moto.server import main as moto_main

    if moto.__version__ == PATCHED_MOTO_VERSION:
        patch_transactions()
        patch_number_adds()
        patch_isolation()
        patch_queries()
        patch_dynamodb_dispatch()
        patch_item_responses()
        patch_request_overhead()
    else:
        print(f"moto {moto.__version__} runs unpatched (fixes written for {PATCHED_MOTO_VERSION}): "
              "transactions get slower as tables grow and are not isolated", file=sys.stderr, flush=True)
    sys.argv[0] = "moto_server"
    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
