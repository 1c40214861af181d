#!/usr/bin/env python3
"""A generic JSON client of omniroute's gRPC API, as an integrator without generated code writes
one: the messages come from a FileDescriptorSet compiled from the published .proto files, the
requests are proto3 JSON (google.protobuf.json_format), the calls are plain grpcio.

usage: json_client.py DESCRIPTOR_SET ADDRESS API_KEY METHOD JSON
Prints the answer as JSON on stdout; on a gRPC error prints "CODE: message" on stderr, exits 3.
METHOD is e.g. omniroute.v1.Intake/SubmitInteraction.
"""
import sys

import grpc
from google.protobuf import descriptor_pb2, descriptor_pool, json_format, message_factory


def message_class(pool, name):
    descriptor = pool.FindMessageTypeByName(name)
    if hasattr(message_factory, "GetMessageClass"):
        return message_factory.GetMessageClass(descriptor)
    return message_factory.MessageFactory(pool).GetPrototype(descriptor)


def main(argv):
    if len(argv) != 6:
        sys.exit(__doc__)
    set_path, address, key, method, body = argv[1:]
    files = descriptor_pb2.FileDescriptorSet()
    with open(set_path, "rb") as f:
        files.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for file in files.file:
        pool.Add(file)
    service_name, method_name = method.split("/")
    rpc = pool.FindServiceByName(service_name).FindMethodByName(method_name)
    request_class = message_class(pool, rpc.input_type.full_name)
    response_class = message_class(pool, rpc.output_type.full_name)

    request = json_format.Parse(body, request_class())
    with grpc.insecure_channel(address) as channel:
        call = channel.unary_unary(
            "/" + method,
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=response_class.FromString,
        )
        try:
            response = call(request, metadata=[("authorization", "Bearer " + key)], timeout=10)
        except grpc.RpcError as e:
            print(f"{e.code().name}: {e.details()}", file=sys.stderr)
            return 3
    print(json_format.MessageToJson(response, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
