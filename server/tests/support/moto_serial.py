"""moto's server, with each DynamoDB request run alone.

Real DynamoDB isolates every transaction and every conditional write. moto does not: its
TransactWriteItems snapshots the table, and a cancelled transaction restores that snapshot,
undoing writes other threads committed meanwhile; its condition checks interleave with other
threads' writes. Concurrency tests of Vouch's DynamoDB store (a per-person entry limit, one
credit per order) would then fail or pass by chance. Serialising DynamoDB requests gives moto
the isolation the real service promises; S3, SQS (long polls) and SES stay concurrent.

Usage: python3 moto_serial.py -H 127.0.0.1 -p PORT   (the arguments of moto_server)
"""

import threading

from moto.dynamodb.responses import DynamoHandler
from moto.server import main

_dynamodb = threading.Lock()
_call_action = DynamoHandler.call_action


def _serial_call_action(self):
    with _dynamodb:
        return _call_action(self)


DynamoHandler.call_action = _serial_call_action

if __name__ == "__main__":
    main()
