"""localcloud: deploys a SAM template into moto and runs its Lambda handlers in-process."""
