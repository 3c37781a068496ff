"""The plugin object QGIS loads: it registers the ``deployplan`` Processing provider."""

from qgis.core import QgsApplication

from .provider import DeployplanProvider


class DeployplanPlugin:
    """Adds the provider on load (in QGIS and in qgis_process), removes it on unload."""

    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802 - QGIS's name
        if self.provider is None:
            self.provider = DeployplanProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802 - QGIS's name
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
