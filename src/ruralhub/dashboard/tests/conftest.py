# The home page shows the network's cards: its tests build stations the way the network's tests do.
from ruralhub.network.tests.conftest import make_station, operator_station, program  # noqa: F401
