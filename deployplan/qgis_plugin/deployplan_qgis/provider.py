"""The ``deployplan`` Processing provider."""

from qgis.core import QgsProcessingProvider

from .algorithms import ALGORITHMS


class DeployplanProvider(QgsProcessingProvider):
    """deployplan's algorithms in the Processing toolbox and in qgis_process."""

    def id(self):
        return "deployplan"

    def name(self):
        return "deployplan"

    def longName(self):  # noqa: N802 - QGIS's name
        return "deployplan: deployment options along the line of contact"

    def loadAlgorithms(self):  # noqa: N802 - QGIS's name
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
