"""Local developer tooling: the embedded emulator, the Lambda zip and the local stack.

Dev-only: it is left out of the Lambda zip, so nothing under ``app/`` outside this
package may import it.
"""
