"""Start a bridge worker: ``python -m starweave_bridge --handlers mod1,mod2 [--name N]
[--zmq ENDPOINT] [--max-frame-bytes N]``. Frames travel on file descriptors 3 and 4 unless
``--zmq`` is given (docs/bridge-protocol.md)."""

import argparse
import logging
import os
import sys
import traceback

from .frames import DEFAULT_MAX_FRAME_BYTES, error_frame
from .logs import configure_stderr, log_event
from .worker import EXIT_OK, EXIT_STARTUP_FAILED, Worker


def parse_arguments(argv):
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m starweave_bridge",
        description="Serve Python handlers to a Starweave actor system.",
    )
    parser.add_argument("--handlers", required=True,
                        help="comma-separated modules to import; their @handler functions "
                             "are offered")
    parser.add_argument("--name", help="the worker name in the hello frame (default: python-PID)")
    parser.add_argument("--zmq", metavar="ENDPOINT",
                        help="connect a DEALER socket to ENDPOINT (tcp://HOST:PORT or ipc://PATH) "
                             "instead of using file descriptors 3 and 4")
    parser.add_argument("--max-frame-bytes", type=int, default=DEFAULT_MAX_FRAME_BYTES,
                        help="the largest frame body this worker accepts and sends, in bytes "
                             "(default 64 MiB; the handshake may lower it)")
    parser.add_argument("--threads", type=int, default=4,
                        help="how many handler calls run at once (default 4)")
    parser.add_argument("--heartbeat-ms", type=int, default=5000,
                        help="milliseconds between unprompted heartbeat frames; 0 turns them off "
                             "(default 5000)")
    parser.add_argument("--log-level", default="INFO",
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
                        help="the lowest level written to stderr (default INFO)")
    arguments = parser.parse_args(argv)
    if arguments.max_frame_bytes <= 0:
        parser.error(f"--max-frame-bytes must be positive, received {arguments.max_frame_bytes}")
    if arguments.threads <= 0:
        parser.error(f"--threads must be positive, received {arguments.threads}")
    if arguments.heartbeat_ms < 0:
        parser.error(f"--heartbeat-ms must be 0 or more, received {arguments.heartbeat_ms}")
    return arguments


def open_channel(arguments):
    """Open the channel the arguments name."""
    if arguments.zmq:
        from .channel import ZmqChannel

        return ZmqChannel(arguments.zmq, arguments.max_frame_bytes, identity=arguments.name)
    from .channel import PipeChannel

    for fd in (3, 4):
        try:
            os.fstat(fd)
        except OSError:
            raise SystemExit(
                f"file descriptor {fd} is not open: start the worker from @starweave/ml-bridge, "
                "which passes frames on descriptors 3 and 4, or pass --zmq ENDPOINT"
            ) from None
    return PipeChannel(3, 4, arguments.max_frame_bytes)


def load_registry(module_names, channel):
    """Import the handler modules; on failure, report an error frame and return None."""
    from .registry import Registry

    try:
        return Registry.from_modules(module_names)
    except Exception as error:  # noqa: BLE001 - any import failure is reported, then exit
        code = "ERR_NOT_FOUND" if isinstance(error, ModuleNotFoundError) else "ERR_REMOTE"
        text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        log_event(logging.ERROR, "bridge.handlers_failed", modules=",".join(module_names),
                  error=error)
        try:
            channel.send(error_frame(None, code, type(error).__name__,
                                     f"handler modules failed to import: {error}", text))
        except Exception as send_error:  # noqa: BLE001 - the frame is a courtesy; stderr has it
            log_event(logging.ERROR, "bridge.send_failed", error=send_error)
        return None


def main(argv=None):
    """Run the worker and return its exit status."""
    arguments = parse_arguments(argv)
    configure_stderr(getattr(logging, arguments.log_level))
    # print() in handlers writes to stdout, which Node reads line by line; flush each line.
    sys.stdout.reconfigure(line_buffering=True)

    channel = open_channel(arguments)
    modules = [name.strip() for name in arguments.handlers.split(",") if name.strip()]
    registry = load_registry(modules, channel)
    if registry is None:
        channel.close()
        return EXIT_STARTUP_FAILED
    worker = Worker(registry, channel, name=arguments.name, threads=arguments.threads,
                    heartbeat_ms=arguments.heartbeat_ms)
    status = worker.run()
    channel.close()
    return status


if __name__ == "__main__":
    exit_status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Handler threads that ignore cancellation would hold up a normal exit, so leave at once.
    os._exit(exit_status if isinstance(exit_status, int) else EXIT_OK)
