"""deployplan's QGIS plugin: a Processing provider whose algorithms run deployplan.

Installed by ``deployplan qgis install`` (which records the Python interpreter of deployplan's
own environment in ``deployplan.json`` beside this file). QGIS loads it as any plugin; with
``hasProcessingProvider=yes`` in its metadata, ``qgis_process`` loads it too.
"""


def classFactory(iface):  # noqa: N802 - the name QGIS calls
    """Return the plugin for QGIS (QGIS's plugin entry point)."""
    from .plugin import DeployplanPlugin

    return DeployplanPlugin(iface)
