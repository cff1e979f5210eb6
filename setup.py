"""Packaging for ftrack_api and ftrack_local_server."""

import os
import re

import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

#: Folder of site-packages holding this distribution's packages in a
#: regular install (see source/_ftrack_api_ng_path.py): no file is shared
#: with ftrack-python-api, which installs the same import package.
LIBRARY_FOLDER = 'ftrack_api_ng_lib'
TOP_LEVEL_PACKAGES = ('ftrack_api', 'ftrack_local_server')
PATH_FILE = 'ftrack-api-ng.pth'

ROOT = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(ROOT, 'source')


def read_version():
    """Return the distribution version declared in ftrack_api/_version.py.

    (Its ``__version__`` is the upstream API level implemented, not ours.)
    """
    with open(os.path.join(SOURCE, 'ftrack_api', '_version.py')) as handle:
        match = re.search(r"distribution_version\s*=\s*'([^']+)'", handle.read())
    return match.group(1)


with open(os.path.join(ROOT, 'README.rst')) as handle:
    LONG_DESCRIPTION = handle.read()


class BuildPackagesApart(build_py):
    """Build the packages into ``ftrack_api_ng_lib/`` with a ``.pth`` file.

    Editable installs (``pip install -e``) keep the plain layout: they point
    at the checkout.
    """

    def run(self):
        super().run()
        if getattr(self, 'editable_mode', False):
            return
        library = os.path.join(self.build_lib, LIBRARY_FOLDER)
        os.makedirs(library, exist_ok=True)
        for name in TOP_LEVEL_PACKAGES:
            built = os.path.join(self.build_lib, name)
            if os.path.isdir(built):
                target = os.path.join(library, name)
                if os.path.isdir(target):
                    shutil.rmtree(target)
                shutil.move(built, target)
        with open(os.path.join(self.build_lib, PATH_FILE), 'w') as handle:
            handle.write('import _ftrack_api_ng_path\n')


setup(
    name='ftrack-api-ng',
    version=read_version(),
    description=(
        'A modern re-implementation of the ftrack Python API client, '
        'with a local ftrack-compatible server for offline use and tests.'
    ),
    long_description=LONG_DESCRIPTION,
    long_description_content_type='text/x-rst',
    license='MIT',
    package_dir={'': 'source'},
    packages=find_packages('source'),
    py_modules=['_ftrack_api_ng_path'],
    cmdclass={'build_py': BuildPackagesApart},
    package_data={
        'ftrack_local_server': ['data/*.json', 'fixtures/*.json', 'data/*.png'],
    },
    python_requires='>=3.9',
    install_requires=[
        'requests >= 2.25',
        'arrow >= 1.0',
        'pyparsing >= 3.0',
        'clique >= 1.6',
        'websocket-client >= 1.0',
        'termcolor >= 1.1',
        'platformdirs >= 2.0',
    ],
    extras_require={
        # Pillow scales thumbnails (/component/thumbnail?size=N); without
        # it the server sends them at their original size.
        'server': ['aiohttp >= 3.8', 'Pillow >= 9'],
        'test': ['aiohttp >= 3.8', 'Pillow >= 9', 'pytest >= 7', 'pytest-timeout >= 2'],
        'doc': ['sphinx >= 7', 'furo >= 2023.3.27'],
    },
    entry_points={
        'pytest11': ['ftrack_local_server = ftrack_local_server.pytest_plugin'],
        'console_scripts': [
            'ftrack-local-server = ftrack_local_server.__main__:main',
        ],
    },
    classifiers=[
        'Programming Language :: Python :: 3',
        'Programming Language :: Python :: 3.9',
        'Programming Language :: Python :: 3.10',
        'Programming Language :: Python :: 3.11',
        'Programming Language :: Python :: 3.12',
        'Programming Language :: Python :: 3.13',
    ],
)
