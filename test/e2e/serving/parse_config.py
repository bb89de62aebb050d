"""Parses TF Serving config files with protobuf's own text-format parser.

Usage: parse_config.py <proto dir> <MessageName> < file.  Prints the message as JSON, or fails
with the parser's error (unknown field, wrong nesting, bad value).
"""
import importlib
import json
import sys
import tempfile

from google.protobuf import json_format, text_format
from grpc_tools import protoc

proto_dir, message_name = sys.argv[1], sys.argv[2]
out = tempfile.mkdtemp()
include = protoc._get_resource_file_name("grpc_tools", "_proto")
if protoc.main(["protoc", f"-I{proto_dir}", f"-I{include}", f"--python_out={out}", "tensorflow_serving_config.proto"]) != 0:
    sys.exit("protoc failed")
sys.path.insert(0, out)
module = importlib.import_module("tensorflow_serving_config_pb2")
message = getattr(module, message_name)()
text_format.Parse(sys.stdin.read(), message)
print(json.dumps(json_format.MessageToDict(message, preserving_proto_field_name=True)))
